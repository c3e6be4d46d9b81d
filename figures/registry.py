"""The figures sections other apps contribute (预警, 问题台账, 项目谋划, 资金保障 …).

`figures.compute()` computes the plan figures itself, then asks every registered section for its
part. An app registers its sections in its `AppConfig.ready()`; figures imports none of them, so
that an app above figures adds a figure without figures knowing it. Sections are computed in the
order they were registered, which is the order of INSTALLED_APPS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.timezone import localdate

from lib.dates import end_of_day, month_end
from plans.models import PlanEntry
from plans.scope import Scope, is_whole


@dataclass(frozen=True)
class Context:
    """What a section is computed for: the months January to `month` of `year`, and the scope's
    entries (one per project)."""

    year: int
    month: int
    scope: Scope
    entries: QuerySet[PlanEntry]

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return month_end(self.year, self.month)

    @property
    def until(self) -> Any:
        """The last instant of the period."""
        return end_of_day(self.end)

    @property
    def as_of(self) -> date:
        """The end of the month, or today if the month has not ended."""
        return min(self.end, localdate())

    @cached_property
    def projects(self) -> QuerySet[Any] | None:
        """The scope's project ids as a subquery, or None when the scope is every project (and, for
        records not tied to a project such as meetings, everything)."""
        return None if is_whole(self.scope) else self.entries.values("project_id")


Section = Callable[[Context], dict[str, Any]]
# Adds a column to a queryset of projects, for the map's markers.
Mark = Callable[[QuerySet[Any]], QuerySet[Any]]

_sections: dict[str, Section] = {}
_marks: dict[str, Mark] = {}
_cards: dict[str, str] = {}


def register(name: str, section: Section, *, card: str | None = None) -> None:
    """Add a section: `section(context)` returns the keys it adds to the figures. Registering a
    name again replaces its section.

    With `card` (a template), the section is also a card on the dashboard: the page loads it after
    itself (figures.views.section_card), so that a section that takes longer never holds the page
    up; the template renders the section's keys for the page's period and scope."""
    _sections[name] = section
    if card:
        _cards[name] = card
    else:
        _cards.pop(name, None)


def sections() -> dict[str, Section]:
    return dict(_sections)


def cards() -> dict[str, str]:
    """The sections shown as dashboard cards, with their templates, in registration order."""
    return dict(_cards)


def contribute(context: Context) -> dict[str, Any]:
    """Every registered section's figures for `context`, merged in registration order."""
    figures: dict[str, Any] = {}
    for section in _sections.values():
        figures.update(section(context))
    return figures


def register_mark(name: str, annotate: Mark) -> None:
    """Add a value shown with each project on the map: `annotate(projects)` adds the column `name`
    (the warnings app adds the worst open warning's colour)."""
    _marks[name] = annotate


def marked(projects: QuerySet[Any]) -> tuple[QuerySet[Any], list[str]]:
    """`projects` with every registered mark, and the marks' names."""
    for annotate in _marks.values():
        projects = annotate(projects)
    return projects, list(_marks)
