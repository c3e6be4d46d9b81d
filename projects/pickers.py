"""Project pickers (lib.pickers): a province holds 100,000 projects, found by name or code."""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse_lazy
from django.utils.text import format_lazy

from lib.pickers import SearchSelect, SearchSelectMixin, SearchSelectMultiple


def project_picker(
    multiple: bool = False,
    open_only: bool = False,
    editable: bool = False,
    statuses: Iterable[str] = (),
    **attrs: Any,
) -> SearchSelectMixin:
    """A select of projects that lists the chosen ones and finds the others by name or code
    (projects:options) among those the user may see, or may change with `editable`; without the
    cancelled ones with `open_only`, and only in `statuses` when some are given: the same projects
    as the field's queryset."""
    query = [("editable", "1")] if editable else []
    query += [("open", "1")] if open_only else []
    query += [("status", str(status)) for status in statuses]
    widget = SearchSelectMultiple if multiple else SearchSelect
    url = format_lazy("{}?{}", reverse_lazy("projects:options"), urlencode(query))
    return widget(url=url, attrs=attrs or None)
