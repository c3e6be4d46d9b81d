"""The browsable API's renderer.

A module of its own: DRF reads DEFAULT_RENDERER_CLASSES when rest_framework.views is imported,
so the class must not live in a module that imports the views (lib.api does).
"""

from typing import Any

from rest_framework import renderers, serializers
from rest_framework.request import Request


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API with its raw JSON form only, and no filter form.

    DRF's HTML form and django-filter's form offer every object a related field or filter accepts
    as a drop-down: units, people and projects beyond the user's data scope, and tens of thousands
    of options on a large city. Writes are typed as JSON, as API clients send them, and validated
    in scope; filters are query parameters, listed in the OpenAPI schema (/api/docs/).
    """

    def render_form_for_serializer(self, serializer: serializers.BaseSerializer) -> str:
        return ""

    def get_filter_form(self, data: Any, view: Any, request: Request) -> None:
        return None
