"""Choices among thousands: a select that lists a few, and a search box that finds the rest.

A province holds thousands of owner units and 100,000 projects; a select listing all of them sends
megabytes with every form. `SearchSelect` and `SearchSelectMultiple` render a plain select while the
field's queryset holds at most `LISTED_UP_TO` rows. Above that they list only the rows `listed`
names (the units above the owners, say) and those already chosen, with a search box beside them;
static/js/search_select.js asks the widget's `url` for the rows whose names hold what is typed, and
puts them in the select. The field validates the choice against its whole queryset as before.

The url answers with `options(request, queryset, fields)`: the rows of the queryset whose `fields`
contain `?q=`, at most `OPTIONS_LIMIT`, as `{"results": [{"value": …, "label": …}], "more": bool}`.
"""

import copy
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise

from lib.params import MAX_ID

# A queryset of at most this many rows is listed whole: a select of a hundred can still be read
# down, and a town of a province, with its two hundred owner enterprises, is searched instead of
# sending them all with every page.
LISTED_UP_TO = 100
# The rows a search answers with.
OPTIONS_LIMIT = 30
# What a search box holds at most; longer text is cut.
QUERY_MAX_LENGTH = 50


def is_id(value: Any) -> bool:
    """Whether a submitted value can name a row: digits within the ids' range, nothing else."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID


def in_range(value: Any) -> Any:
    """A submitted value as it is, unless it is a number too large for an id: then its first digits
    and an ellipsis, which no lookup takes for a number."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and not is_id(value):
        return f"{value[:19]}…"
    return value


class SearchSelectMixin:
    """The narrowed listing and the search box; mixed into Select and SelectMultiple."""

    template_name = "widgets/search_select.html"
    choices: Any

    def __init__(self, *args: Any, url: str | Promise = "", listed: Q | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url = url
        # The rows listed besides the chosen ones once the queryset is too long to list; none by default.
        self.listed = listed if listed is not None else Q(pk__in=[])

    def narrowed(self, value: Sequence[str]) -> ModelChoiceIterator | None:
        """The choices to list when the field's queryset is too long for a select, else None."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator) or not self.url:
            return None
        # Counted no further than needed: a province's 190,000 people took 15 ms to count whole.
        if choices.queryset.order_by()[: LISTED_UP_TO + 1].count() <= LISTED_UP_TO:
            return None
        chosen = [item for item in value if is_id(item)]
        narrowed = copy.copy(choices)
        narrowed.queryset = choices.queryset.filter(self.listed | Q(pk__in=chosen))
        return narrowed

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        """The submitted value, a number past the ids' range cut to no number at all: the field then
        refuses it as an invalid choice, where the database could not even compare it."""
        value = super().value_from_datadict(data, files, name)  # type: ignore[misc]  # Select.value_from_datadict
        if isinstance(value, list):
            return [in_range(item) for item in value]
        return in_range(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        values = self.format_value(value)  # type: ignore[attr-defined]  # Select.format_value
        narrowed = self.narrowed(values)
        widget: Any = self
        if narrowed is not None:
            widget = copy.copy(self)
            widget.choices = narrowed
        context: dict[str, Any] = super(SearchSelectMixin, widget).get_context(name, value, attrs)  # type: ignore[misc]  # Select.get_context
        # A disabled field lists its choice alone, and offers no search.
        searching = narrowed is not None and not (attrs or {}).get("disabled")
        context["widget"]["search_url"] = self.url if searching else ""
        return context


class SearchSelect(SearchSelectMixin, forms.Select):
    pass


class SearchSelectMultiple(SearchSelectMixin, forms.SelectMultiple):
    pass


def options(
    request: HttpRequest,
    queryset: QuerySet[Any],
    fields: Sequence[str],
    label: Callable[[Any], str] = str,
) -> JsonResponse:
    """The rows of `queryset` whose `fields` hold `?q=`, in the queryset's order, for a search box."""
    text = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    if not text:
        return JsonResponse({"results": [], "more": False})
    matching = Q()
    for field in fields:
        matching |= Q(**{f"{field}__icontains": text})
    rows = list(queryset.filter(matching)[: OPTIONS_LIMIT + 1])
    return JsonResponse(
        {
            "results": [{"value": row.pk, "label": label(row)} for row in rows[:OPTIONS_LIMIT]],
            "more": len(rows) > OPTIONS_LIMIT,
        }
    )
