"""Unit and person pickers (lib.pickers): a province has thousands of owner units and a person
named on every project."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.text import format_lazy

from lib.pickers import SearchSelect, SearchSelectMixin, SearchSelectMultiple
from org.choices import UnitKind


def unit_picker(*kinds: UnitKind, mine: bool = False) -> SearchSelect:
    """A select of units that lists the government, departments and towns and finds an owner by
    name (org:unit_options), among the `kinds` given (all when none) and, with `mine`, among the
    units the user may see: the same units as the field's queryset."""
    query = [("kind", kind.value) for kind in kinds] + ([("mine", "1")] if mine else [])
    return SearchSelect(
        url=format_lazy("{}?{}", reverse_lazy("org:unit_options"), urlencode(query)),
        listed=~Q(kind=UnitKind.OWNER),
    )


def person_picker(listed: Q, multiple: bool = False) -> SearchSelectMixin:
    """A select of people that lists those `listed` names (the district's leaders, say) and finds
    anyone else by name, post or unit (org:person_options)."""
    widget = SearchSelectMultiple if multiple else SearchSelect
    return widget(
        url=reverse_lazy("org:person_options"), listed=listed, attrs={"size": 8} if multiple else None
    )
