"""What a project's page is made of: tabs and links that apps contribute.

The page belongs to `projects`, but most of what it shows belongs to apps above it (plans,
funding, warnings, problems …). Each app registers its tabs and links in its `AppConfig.ready()`;
the page shows them in `order`, and `projects` imports none of those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from projects.models import Project

Context = Callable[[HttpRequest, Project], dict[str, Any]]
Count = Callable[[HttpRequest, Project], int]


@dataclass(frozen=True)
class Tab:
    """A tab: `template` renders its body with the page's context plus `context(request, project)`;
    `badge(request, project)`, if given, is a number shown on the tab when it is not 0."""

    key: str
    label: Any
    template: str
    order: int
    context: Context | None = None
    badge: Count | None = None
    badge_class: str = "bg-red text-red-fg"


@dataclass(frozen=True)
class Link:
    """A button at the top of the page to another page of the project (`url_name` takes the
    project's pk); `badge` as for tabs."""

    key: str
    label: Any
    url_name: str
    icon: str
    order: int
    badge: Count | None = None
    badge_class: str = "bg-orange text-orange-fg"
    query: bool = False

    def url(self, project: Project) -> str:
        if self.query:
            return f"{reverse(self.url_name)}?project={project.pk}"
        return reverse(self.url_name, args=[project.pk])


# Adds columns to the project list's rows (the warnings app adds its counts of open warnings).
ListAnnotation = Callable[[QuerySet[Project]], QuerySet[Project]]
# Details of the listed projects of a page, by project id, for a plan year.
RowDetail = Callable[[list[int], int], dict[int, Any]]
# The ids of the projects on the plans in force of a year and/or level (the plans app answers).
PlanLookup = Callable[[int | None, str | None], QuerySet[Any]]


class ProjectList(Protocol):
    """清单: a named list of projects (关键项目, 百个前期, 存量资产 …) kept by an app above."""

    pk: Any
    name: str

    def project_ids(self) -> QuerySet[Any]:
        """The ids of the projects on the list, as a subquery."""
        ...


# Every named list, for the filters that scope a page to one (the lists' app answers).
ListSource = Callable[[], QuerySet[Any]]

_tabs: dict[str, Tab] = {}
_links: dict[str, Link] = {}
_list_annotations: dict[str, ListAnnotation] = {}
_row_details: dict[str, RowDetail] = {}
_plan_lookups: list[PlanLookup] = []
_list_sources: list[ListSource] = []


def register_tab(tab: Tab) -> None:
    _tabs[tab.key] = tab


def register_link(link: Link) -> None:
    _links[link.key] = link


def tabs() -> list[Tab]:
    return sorted(_tabs.values(), key=lambda tab: tab.order)


def links() -> list[Link]:
    return sorted(_links.values(), key=lambda link: link.order)


def shown(request: HttpRequest, project: Project, items: list[Any]) -> list[tuple[Any, int]]:
    """Each tab or link with its badge number (0 without a badge)."""
    return [(item, item.badge(request, project) if item.badge else 0) for item in items]


def register_list_annotation(name: str, annotate: ListAnnotation) -> None:
    _list_annotations[name] = annotate


def register_row_detail(name: str, detail: RowDetail) -> None:
    _row_details[name] = detail


def register_plan_lookup(lookup: PlanLookup) -> None:
    _plan_lookups[:] = [lookup]


def register_project_lists(source: ListSource) -> None:
    _list_sources[:] = [source]


def project_lists() -> QuerySet[Any] | None:
    """Every named list (清单) a scope may be narrowed to, or None when no app keeps lists."""
    return _list_sources[0]() if _list_sources else None


def annotate_list(projects: QuerySet[Project]) -> QuerySet[Project]:
    for annotate in _list_annotations.values():
        projects = annotate(projects)
    return projects


def rows(projects: list[Project], year: int) -> list[tuple[Project, dict[str, Any]]]:
    """Each project of a list page with the registered details ({"plans": [...], ...})."""
    ids = [project.pk for project in projects]
    details = {name: detail(ids, year) for name, detail in _row_details.items()}
    return [
        (project, {name: found.get(project.pk) for name, found in details.items()}) for project in projects
    ]


def on_plans(year: int | None, level: str | None) -> QuerySet[Any]:
    """The ids of the projects on the plans in force of `year` and/or `level`."""
    if not _plan_lookups:
        raise LookupError("no app answers which projects are on the plans")
    return _plan_lookups[0](year, level)
