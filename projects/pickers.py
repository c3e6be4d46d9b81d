"""Project pickers (lib.pickers): a province holds 100,000 projects, found by name or code."""

from typing import Any

from django.urls import reverse_lazy
from django.utils.text import format_lazy

from lib.pickers import SearchSelect, SearchSelectMixin, SearchSelectMultiple


def project_picker(multiple: bool = False, open_only: bool = False, **attrs: Any) -> SearchSelectMixin:
    """A select of projects that lists the chosen ones and finds the others by name or code among
    those the user may see (projects:options), without the cancelled ones with `open_only`."""
    widget = SearchSelectMultiple if multiple else SearchSelect
    url = format_lazy("{}{}", reverse_lazy("projects:options"), "?open=1" if open_only else "")
    return widget(url=url, attrs=attrs or None)
