"""seed_demo builds a valid, deterministic demo district; demo_logins lists its accounts."""

from datetime import date, datetime, time
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from assessment.defaults import INDICATORS
from assessment.models import Indicator
from catalog.defaults import CATEGORIES
from catalog.models import Category
from demo.projects import DEMO_ACCOUNTS, DEMO_PASSWORD
from elements.defaults import ELEMENT_TYPES
from elements.models import ElementNeed, ElementType, FundingRecord
from evaluation.models import Evaluation
from financing.defaults import BANKS
from financing.models import Bank, FinancingNeed
from lib.validators import validate_credit_code, validate_project_code
from milestones.defaults import TEMPLATES
from milestones.models import Milestone, MilestoneTemplate
from org.models import Unit, User
from pipeline.models import PipelineEntry, ReviewDecision
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from problems.choices import MatterStatus, ProblemStatus
from problems.models import Matter, Meeting, Problem, ProblemEvent
from projects.choices import ProcedureStatus, ProjectStatus
from projects.models import Procedure, Project, ProjectStatusChange
from starts.models import StartEvent, StartEventProject
from supervision.choices import NoticeStatus
from supervision.models import Inspection, Notice, NoticeReply

# A past year makes the reference day 31 December, so the data does not depend on today.
YEAR = 2025


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"projects": 60, "seed": 7, "year": YEAR, **options})
    return out.getvalue()


def fingerprint() -> list[tuple[object, ...]]:
    return list(
        Project.objects.order_by("id").values_list(
            "name", "code", "total_investment", "status", "build_years", "owner_unit__name"
        )
    )


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_district() -> None:
    seed()
    first = fingerprint()
    first_plans = list(
        PlanEntry.objects.order_by("plan__year", "plan__level", "plan__version", "project__name").values_list(
            "plan__year", "plan__level", "plan__version", "project__name", "plan_type", "annual_investment"
        )
    )
    seed(flush=True)
    assert fingerprint() == first
    assert (
        list(
            PlanEntry.objects.order_by(
                "plan__year", "plan__level", "plan__version", "project__name"
            ).values_list(
                "plan__year",
                "plan__level",
                "plan__version",
                "project__name",
                "plan_type",
                "annual_investment",
            )
        )
        == first_plans
    )
    seed(flush=True, seed=8)
    assert fingerprint() != first


@pytest.mark.django_db
def test_every_code_is_valid_and_unique() -> None:
    seed(projects=150)
    codes = [c for c in Project.objects.values_list("code", flat=True) if c]
    assert 0.55 < len(codes) / 150 < 0.8
    assert len(set(codes)) == len(codes)
    for code in codes:
        validate_project_code(code)
    credit_codes = list(Unit.objects.values_list("credit_code", flat=True))
    assert all(credit_codes)
    assert len(set(credit_codes)) == len(credit_codes)
    for code in credit_codes:
        validate_credit_code(code)


@pytest.mark.django_db
def test_projects_procedures_and_entries_pass_model_validation() -> None:
    seed(projects=120)
    for model in (Unit, Project, Procedure, PlanEntry):
        for obj in model.objects.all():
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:  # pragma: no cover - the message names the bad row
                pytest.fail(f"{model.__name__} {obj}: {error}")


@pytest.mark.django_db
def test_statuses_agree_with_dates_and_history() -> None:
    seed(projects=150)
    projects = list(Project.objects.all())
    statuses = {p.status for p in projects}
    assert {ProjectStatus.PRELIMINARY, ProjectStatus.CONSTRUCTION, ProjectStatus.COMPLETED} <= statuses
    for project in projects:
        if project.status in (ProjectStatus.CONSTRUCTION, ProjectStatus.COMPLETED, ProjectStatus.OPERATING):
            assert project.actual_start_date is not None
        if project.status in (ProjectStatus.COMPLETED, ProjectStatus.OPERATING):
            completed, started = project.actual_completion_date, project.actual_start_date
            assert completed is not None and started is not None and completed >= started
        if project.status in (ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED):
            assert project.status_reason
        if project.status != ProjectStatus.RESERVE:
            last = project.status_changes.order_by("effective_date", "id").last()
            assert last is not None and last.to_status == project.status
    assert ProjectStatusChange.objects.count() > len(projects)
    for procedure in Procedure.objects.filter(status=ProcedureStatus.DONE):
        submitted, approved = procedure.submitted_on, procedure.approved_on
        assert submitted is not None and approved is not None and submitted <= approved
    assert not Procedure.objects.filter(status=ProcedureStatus.IN_PROGRESS, submitted_on=None).exists()


@pytest.mark.django_db
def test_plans_cover_three_levels_and_three_years_with_an_adjustment() -> None:
    seed(projects=150)
    assert set(Plan.objects.values_list("year", flat=True)) == {YEAR - 2, YEAR - 1, YEAR}
    for year in (YEAR - 2, YEAR - 1, YEAR):
        sizes = {
            level: PlanEntry.objects.filter(plan__year=year, plan__level=level, plan__version=1).count()
            for level in PlanLevel.values
        }
        assert sizes[PlanLevel.LOCAL] > sizes[PlanLevel.CITY] > sizes[PlanLevel.PROVINCE] > 0
    adjusted = Plan.objects.get(year=YEAR, level=PlanLevel.LOCAL, version=2)
    initial = Plan.objects.get(year=YEAR, level=PlanLevel.LOCAL, version=1)
    diff = adjusted.diff_against(initial, User.objects.get(username="coordinator"))
    assert diff["added"] and diff["removed"] and diff["changed"]
    for entry in PlanEntry.objects.select_related("project"):
        assert entry.annual_investment <= entry.project.total_investment
        if entry.plan_type == PlanType.NEW_START:
            assert entry.planned_start_month
        if entry.plan_type == PlanType.COMPLETING:
            assert entry.planned_completion_month


@pytest.mark.django_db
def test_every_plan_entry_agrees_with_its_projects_dates() -> None:
    """No 日期不符 badge: the plan types and months follow the projects' planned and actual dates."""
    seed(projects=150)
    entries = PlanEntry.objects.select_related("plan", "project")
    assert {e.plan_type for e in entries} == set(PlanType.values)
    contradicting = {
        f"{e.plan.year} {e.get_plan_type_display()} {e.project.name}": e.date_warnings()
        for e in entries
        if e.date_warnings()
    }
    assert contradicting == {}
    # Projects behind their dates are still there, for 应开未开 and 应竣未竣.
    assert Project.objects.filter(actual_start_date=None, planned_start_date__lt=date(YEAR, 12, 1)).exists()
    assert Project.objects.filter(
        status=ProjectStatus.CONSTRUCTION,
        actual_completion_date=None,
        planned_completion_date__lt=date(YEAR, 12, 1),
    ).exists()


@pytest.mark.django_db
def test_demo_accounts_log_in_and_see_their_scope(client) -> None:
    seed()
    total = Project.objects.count()
    for account in DEMO_ACCOUNTS:
        response = client.post(
            reverse("login"),
            {"username": account.username, "password": DEMO_PASSWORD},
            REMOTE_ADDR="10.0.0.9",
        )
        assert response.status_code == 302, account.username
        assert response.url != reverse("password_change")
        user = User.objects.get(username=account.username)
        assert client.session["_auth_user_id"] == str(user.pk)
        visible = Project.objects.visible_to(user).count()
        if user.sees_everything:
            assert visible == total
        else:
            assert 0 < visible < total, account.username
        client.logout()


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_registry_alone() -> None:
    seed()
    before = (Project.objects.count(), Unit.objects.count(), User.objects.count(), PlanEntry.objects.count())
    assert "已有项目" in seed(if_empty=True, seed=99)
    assert (
        Project.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        PlanEntry.objects.count(),
    ) == before
    with pytest.raises(CommandError):
        seed()


@pytest.mark.django_db
def test_demo_logins_lists_every_account() -> None:
    seed(projects=20)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert DEMO_PASSWORD in text


MODULES = (
    Problem, ProblemEvent, Meeting, Matter, Notice, NoticeReply, Inspection, Milestone, PipelineEntry,
    ReviewDecision, StartEvent, StartEventProject, FundingRecord, ElementNeed, Evaluation, Alert,
)  # fmt: skip


def module_counts() -> dict[str, object]:
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in MODULES}
    counts["problem_statuses"] = sorted(Problem.objects.values_list("status", flat=True))
    counts["matter_statuses"] = sorted(Matter.objects.values_list("status", flat=True))
    counts["notice_statuses"] = sorted(Notice.objects.values_list("status", flat=True))
    counts["milestones_done"] = Milestone.objects.filter(actual_date__isnull=False).count()
    counts["pipeline"] = sorted(PipelineEntry.objects.values_list("project__name", "decision"))
    # Warnings on another table's row name its id ("problem:12"), which differs from one database to the next.
    alerts = Alert.objects.values_list("rule", "project__name", "object_key", "colour", "state")
    counts["alerts"] = sorted((rule, name, key.split(":")[0], *rest) for rule, name, key, *rest in alerts)
    return counts


@pytest.mark.django_db
def test_every_module_has_demo_records_and_the_same_seed_gives_the_same() -> None:
    out = seed()
    first = module_counts()
    for model in MODULES:
        assert first[model.__name__], model.__name__
    assert "问题" in out and "预警" in out
    # Problems in every state, some overdue at the reference day, some settled by a meeting.
    assert set(first["problem_statuses"]) == set(ProblemStatus.values)  # type: ignore[call-overload]  # module_counts() holds counts and lists
    assert Problem.objects.unsolved().filter(deadline__lt=date(YEAR, 12, 31)).exists()
    assert Problem.objects.filter(status=ProblemStatus.RESOLVED, settled_by__isnull=False).exists()
    assert MatterStatus.DONE in first["matter_statuses"]  # type: ignore[operator]  # module_counts() holds counts and lists
    assert set(first["notice_statuses"]) == set(NoticeStatus.values)  # type: ignore[call-overload]  # module_counts() holds counts and lists
    seed(flush=True)
    assert module_counts() == first


@pytest.mark.django_db
def test_a_database_emptied_of_its_defaults_gets_them_back_with_the_demo() -> None:
    """After manage.py flush the migrations' rows are gone too: the demo loads them again before it
    builds on them (the banks its financing uses, the element types, the templates, the indicators)."""
    defaults: list[tuple[QuerySet[Any], int]] = [
        (Category.objects.all(), len(CATEGORIES)),
        (ElementType.objects.all(), len(ELEMENT_TYPES)),
        (Bank.objects.all(), len(BANKS)),
        (MilestoneTemplate.objects.all(), len(TEMPLATES)),
        (Indicator.objects.all(), len(INDICATORS)),
    ]
    for rows, _count in defaults:
        rows.delete()
    seed()
    for rows, count in defaults:
        assert rows.count() == count, rows.model.__name__
    assert FinancingNeed.objects.exists() and ElementNeed.objects.exists() and Milestone.objects.exists()


@pytest.mark.django_db
def test_demo_histories_are_consistent_and_rows_valid() -> None:
    seed()
    end = datetime.combine(date(YEAR, 12, 31), time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))
    for problem in Problem.objects.prefetch_related("events"):
        events = list(problem.events.all())
        status = events[-1].to_status if events else ProblemStatus.OPEN
        assert status == problem.status, problem
        times = [problem.raised_at, *(e.at for e in events)]
        assert times == sorted(times) and times[-1] <= end, problem
        if problem.status == ProblemStatus.RESOLVED:
            assert problem.resolved_at == events[-1].at
    for matter in Matter.objects.filter(status=MatterStatus.DONE).select_related("meeting"):
        assert matter.meeting.date <= timezone.localdate(matter.completed_at) <= date(YEAR, 12, 31)
    for reply in NoticeReply.objects.select_related("notice"):
        assert reply.notice.issued_on <= timezone.localdate(reply.replied_at) <= date(YEAR, 12, 31)
    assert not Milestone.objects.filter(actual_date__gt=date(YEAR, 12, 31)).exists()
    for evaluation in Evaluation.objects.select_related("project"):
        assert evaluation.actual_completion_date == evaluation.project.actual_completion_date
        assert evaluation.actual_completion_date < evaluation.evaluated_on <= date(YEAR, 12, 31)
    assert Evaluation.objects.cases().exists()
    for model in (
        Problem,
        Matter,
        Notice,
        Inspection,
        Milestone,
        PipelineEntry,
        FundingRecord,
        ElementNeed,
        Evaluation,
    ):
        for obj in model.objects.all():
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:  # pragma: no cover - the message names the bad row
                pytest.fail(f"{model.__name__} {obj}: {error}")
