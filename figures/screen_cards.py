"""The big screen's project cards (seed 001: "将每个项目推进的结果通过LED电子大屏幕公开显示每天循环播放"):
every project of the screen's scope in turn, a page of cards at a time, each with its name, unit,
plan completion against time progress, 形象进度 and latest photo.

The cards are read a page at a time, after the last project shown (`?after=` its id), so that a
screen over 100,000 projects reads a few rows per turn, by index, and comes round to the first
again at the end."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from figures.compute import MONEY
from figures.views import period_of, scope_of
from lib.numbers import ahead_of_progress, completion_rate, period_time_progress, quantize
from lib.params import MAX_ID, query_int
from lib.requests import AuthenticatedHttpRequest
from plans.scope import Scope, scope_entries
from progress.choices import ReportState
from progress.models import Report, ReportPhoto, YearProgress
from progress.yearly import this_year
from projects.choices import ProjectStatus
from projects.models import Project

ZERO = Decimal("0.00")
# Cards on the stage at once (three across, two down at 1920×1080).
CARDS_PER_PAGE = 6

PhotoUrl = Callable[[int], str]


def with_latest_progress(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Each project with its latest accepted report's 形象进度 (`progress_text`, `progress_percent`,
    and the period as `progress_year`/`progress_month`) and the latest photo of an accepted report
    (`latest_photo`, an id), as subqueries of the one query."""
    reports = Report.objects.filter(project=OuterRef("pk"), state=ReportState.ACCEPTED).exclude(
        Q(progress_text="") & Q(progress_percent__isnull=True)
    )
    latest = reports.order_by("-seq", "-id")
    photos = ReportPhoto.objects.filter(
        report__project=OuterRef("pk"), report__state=ReportState.ACCEPTED
    ).order_by("-report__seq", "-uploaded_at", "-id")
    return projects.annotate(
        progress_text=Subquery(latest.values("progress_text")[:1]),
        # Named a decimal of one place, so that SQLite's float comes back as the field's value.
        progress_percent=Subquery(
            latest.values("progress_percent")[:1], output_field=DecimalField(max_digits=5, decimal_places=1)
        ),
        progress_year=Subquery(latest.values("year")[:1]),
        progress_month=Subquery(latest.values("month")[:1]),
        latest_photo=Subquery(photos.values("id")[:1]),
    )


def internal_photo_url(pk: int) -> str:
    """A photo's thumbnail for those signed in (progress serves it within their data scope)."""
    return reverse("progress:photo", args=[pk, "thumb"])


def project_cards(
    year: int,
    month: int,
    scope: Scope,
    after: int = 0,
    *,
    photo_url: PhotoUrl = internal_photo_url,
    per_page: int = CARDS_PER_PAGE,
    today: date | None = None,
) -> dict[str, Any]:
    """The next page of cards of the projects on `year`'s plans in `scope`, in the order of their ids,
    after project `after` (from the first again past the last): `total` projects, the position of the
    first card shown (`start`, from 1), `after` for the next page, and the `cards`.

    Nothing on a card is personal: no person is named, no telephone number given."""
    entries = scope_entries(year, scope)
    total = entries.count()
    if not total:
        return {"total": 0, "start": 0, "after": 0, "time_progress": None, "cards": []}
    progress = period_time_progress(year, month, today)

    def page_after(last: int) -> list[dict[str, Any]]:
        return list(
            entries.filter(project_id__gt=last)
            .order_by("project_id")
            .alias(progress=this_year(year))
            .annotate(
                done=Coalesce(F(f"progress__{YearProgress.column(month)}"), Value(ZERO), output_field=MONEY)
            )
            .values("project_id", "plan_type", "annual_investment", "done")[:per_page]
        )

    rows = page_after(after) or page_after(0)
    ids = [row["project_id"] for row in rows]
    details = {
        p["pk"]: p
        # The stubs do not see the annotations of with_latest_progress() among the fields.
        for p in with_latest_progress(Project.objects.filter(pk__in=ids)).values(  # type: ignore[misc]
            "pk",
            "name",
            "status",
            "responsible_unit__name",
            "progress_text",
            "progress_percent",
            "progress_year",
            "progress_month",
            "latest_photo",
        )
    }
    statuses = dict(ProjectStatus.choices)
    cards = []
    for row in rows:
        project = details[row["project_id"]]
        annual_plan = quantize(row["annual_investment"], 2)
        completed = quantize(row["done"], 2)
        rate = completion_rate(completed, annual_plan)
        cards.append(
            {
                "id": row["project_id"],
                "name": project["name"],
                "unit": project["responsible_unit__name"] or "",
                "status": project["status"],
                "status_label": str(statuses.get(project["status"], project["status"])),
                "annual_plan": annual_plan,
                "completed": completed,
                "completion_rate": rate,
                "time_progress": progress,
                "ahead_points": ahead_of_progress(rate, progress),
                "progress_text": project["progress_text"] or "",
                "progress_percent": project["progress_percent"],
                "progress_period": (
                    f"{project['progress_year']}-{project['progress_month']:02d}"
                    if project["progress_year"]
                    else None
                ),
                "photo": photo_url(project["latest_photo"]) if project["latest_photo"] else None,
            }
        )
    return {
        "total": total,
        "start": entries.filter(project_id__lt=ids[0]).count() + 1,
        "after": ids[-1],
        "time_progress": progress,
        "cards": cards,
    }


def cards_response(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})


def cards_after(request: HttpRequest) -> int:
    """The id of the last project the screen showed (`?after=`), 0 to start from the first."""
    return query_int(request.GET, "after", 0, 0, MAX_ID)


@login_required
def bigscreen_cards(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The big screen's next page of project cards as JSON (amounts in 万元 as decimal strings), for
    the period and scope of the screen's query string, within what the user may see."""
    year, month = period_of(request)
    return cards_response(
        project_cards(year, month, scope_of(request), cards_after(request), today=timezone.localdate())
    )


def cards_per_turn() -> int:
    """How many pages of cards the screen shows each time the cards' panel comes round."""
    return max(int(settings.BIGSCREEN_CARD_PAGES_PER_TURN), 1)


def card_labels() -> dict[str, str]:
    """The words bigscreen_cards.js puts around the cards' numbers; {} marks where a number goes."""
    return {
        "plan": _("年度计划"),
        "completed": _("已完成"),
        "wan": _("万元"),
        "rate": _("年度计划完成率"),
        "time_progress": _("时间进度{}%"),
        "ahead": _("快于时间进度{}个百分点"),
        "behind": _("慢于时间进度{}个百分点"),
        "progress": _("形象进度"),
        "progress_of": _("{}年{}月"),
        "no_progress": _("暂无已审核的形象进度"),
        "no_photo": _("暂无现场照片"),
        "position": _("第{}—{}个，共{}个项目"),
        "empty": _("计划内暂无项目"),
    }
