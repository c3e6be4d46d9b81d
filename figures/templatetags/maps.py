"""{% map_config %}: the site's map settings as a JSON script element for the Leaflet pages."""

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from figures.views_screen import map_settings

register = template.Library()


@register.simple_tag
def map_config(element_id: str = "map-config") -> SafeString:
    """Tiles, centre, zoom and status colours for static/js/map.js, read from settings."""
    return json_script(map_settings(), element_id)
