"""红黄灯预警 rules (DOMAIN §7) and the registry the scan reads.

A rule says, for a day, which (project, object) pairs should be lit now and in which colour.
It never writes: `alerts.scan.run_scan(today)` turns the findings of every enabled rule into
warnings — opens the new ones, escalates yellow to red, closes (销号) those whose condition has
cleared — and notifies the people responsible. Thresholds live in `AlertRuleConfig` (one row per
rule code, created from the rule's defaults on the first scan, edited on /alerts/rules/).

Adding a rule from another app
------------------------------
Subclass `Rule`, decorate it with `@register`, and import the module from your AppConfig.ready()::

    # problems/alerts.py
    from alerts.rules import Finding, Rule, register

    @register
    class ProblemOverdue(Rule):
        code = "problem_overdue"
        name = _("问题超期")
        unit = _("天")
        yellow_help = _("超过办理时限多少天亮黄灯（0 = 过期即亮）")
        red_help = _("超过办理时限多少天亮红灯")
        default_yellow, default_red = 0, 15

        def findings(self, today, config):
            rows = Problem.objects.filter(deadline__lt=today, ...).values_list("project_id", "pk", "deadline")
            for project_id, pk, deadline in rows:
                colour = self.grade((today - deadline).days, config)
                if colour:
                    yield Finding(project_id, f"problem:{pk}", colour, f"问题已超期{(today - deadline).days}天")

    # problems/apps.py
    def ready(self):
        from problems import alerts  # noqa: F401  (registers the rules)

The contract:

- `code` is unique and stable: it is stored on every warning and on the rule's settings row.
- `findings(today, config)` returns every finding that holds on `today`, computed in the
  database with a number of queries that does not depend on the number of projects (never one
  query per project or per row). It must not write.
- A finding is `Finding(project_id, object_key, colour, message)`. `object_key` (at most 60
  characters) tells apart several warnings of one rule on one project: "" for the project as a
  whole, a period "2026-03", a year "2026", or "<table>:<id>" such as "procedure:12". A warning
  is keyed by (rule, project, object_key) and is never duplicated while open.
- `colour` is `Colour.YELLOW` or `Colour.RED`; `grade(amount, config)` applies the usual reading
  "more than the yellow threshold → yellow, more than the red threshold → red".
- `config.yellow_threshold` and `config.red_threshold` are whole numbers in the rule's `unit`;
  `config.min_total_investment` (万元, or None) is applied by the scan, not by the rule.
- What is no longer found is closed automatically on the next scan; a warning closed by hand
  stays closed while its condition holds, unless it turns from yellow to red.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import F, Max, Model, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.choices import Colour
from catalog.models import ProcedureType
from figures.compute import MONEY, ZERO
from lib.dates import month_end
from lib.numbers import ahead_of_time, completion_rate, quantize
from lib.validators import validate_project_code
from plans.choices import PlanType
from plans.models import Plan, PlanEntry
from plans.scope import Scope, scope_entries
from progress.models import Report, YearProgress
from progress.periods import Period, current_period
from progress.querysets import REPORTING_STATUSES, projects_due
from progress.yearly import this_year
from projects.choices import ProcedureStatus, ProjectStatus, ReportFrequency
from projects.models import Procedure, Project

if TYPE_CHECKING:
    from alerts.models import AlertRuleConfig
    from projects.models import Project


@dataclass(frozen=True)
class Finding:
    """One thing a rule found on a day: which project, which object in it, what colour, and why."""

    project_id: int
    object_key: str
    colour: str
    message: str


class Rule:
    """A warning rule: a code, a name, its thresholds' meaning and defaults, and its findings."""

    code: ClassVar[str]
    name: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    unit: ClassVar[str | Promise] = ""
    yellow_help: ClassVar[str | Promise] = ""
    red_help: ClassVar[str | Promise] = ""
    default_yellow: ClassVar[int]
    default_red: ClassVar[int]
    default_min_total_investment: ClassVar[Decimal | None] = None
    # The table of the objects named by this rule's "<prefix>:<id>" object keys, so that a warning
    # shows its object by name, with a link (alerts.models.describe_objects).
    object_model: ClassVar[type[Model] | None] = None

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        raise NotImplementedError

    def grade(self, amount: float | int | Decimal, config: "AlertRuleConfig") -> str | None:
        """Red when `amount` is more than the red threshold, yellow when more than the yellow one."""
        if amount > config.red_threshold:
            return Colour.RED
        if amount > config.yellow_threshold:
            return Colour.YELLOW
        return None

    def default_config(self) -> "AlertRuleConfig":
        from alerts.models import AlertRuleConfig

        return AlertRuleConfig(
            code=self.code,
            yellow_threshold=self.default_yellow,
            red_threshold=self.default_red,
            min_total_investment=self.default_min_total_investment,
        )


_REGISTRY: dict[str, Rule] = {}


def register(rule: type[Rule] | Rule) -> type[Rule] | Rule:
    """Add a rule (a Rule subclass or instance) to the registry; usable as a class decorator."""
    instance = rule() if isinstance(rule, type) else rule
    code = getattr(instance, "code", "")
    if not code or len(code) > 40:
        raise ImproperlyConfigured(f"A warning rule needs a code of at most 40 characters: {rule!r}")
    existing = _REGISTRY.get(code)
    if existing is not None and type(existing) is not type(instance):
        raise ImproperlyConfigured(f"Two warning rules use the code {code!r}.")
    _REGISTRY[code] = instance
    return rule


def unregister(code: str) -> None:
    _REGISTRY.pop(code, None)


def registry() -> dict[str, Rule]:
    """Every registered rule by code, in the order registered (the built-in ones first)."""
    return dict(_REGISTRY)


# Month arithmetic on a month index (year * 12 + month - 1), which compares and subtracts simply.


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def month_key(index: int) -> str:
    year, month = month_of(index)
    return f"{year:04d}-{month:02d}"


def add_months(day: date, months: int) -> date:
    year, month = month_of(month_index(day.year, day.month) + months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of(index: int) -> date:
    year, month = month_of(index)
    return date(year, month, 1)


class PlannedMonthRule(Rule):
    """应开未开 / 应竣未竣: the planned month has passed and the actual date is still empty.

    The planned month is the project's own planned date, or else the latest planned month on
    the plans in force up to this year. Thresholds are months after the planned month ended.
    """

    unit = _("个月")
    default_yellow, default_red = 0, 3
    # "start" or "completion": which pair of dates and which plan-entry month.
    which: ClassVar[str]

    def pending(self) -> "QuerySet[Project]":
        raise NotImplementedError

    def describe(self, planned: str, months_over: int) -> str:
        raise NotImplementedError

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:

        current = month_index(today.year, today.month)
        # Over by more than N months ⇔ the planned month is at most current − N − 1.
        last_yellow = current - config.yellow_threshold - 1
        last_red = current - config.red_threshold - 1
        date_field, month_field = f"planned_{self.which}_date", f"planned_{self.which}_month"
        pending = self.pending()
        planned: dict[int, int] = {}
        own = pending.filter(**{f"{date_field}__lt": first_of(last_yellow + 1)}).values_list("pk", date_field)
        for pk, planned_on in own:
            planned[pk] = month_index(planned_on.year, planned_on.month)
        from_plans = (
            PlanEntry.objects.filter(
                plan__in=Plan.objects.in_force().filter(year__lte=today.year),
                project__in=pending.filter(**{f"{date_field}__isnull": True}),
                **{f"{month_field}__isnull": False},
            )
            .order_by()
            .values("project_id")
            .annotate(index=Max(F("plan__year") * 12 + F(month_field) - 1))
            .filter(index__lte=last_yellow)
            .values_list("project_id", "index")
        )
        for pk, index in from_plans:
            planned.setdefault(pk, index)
        for pk, index in planned.items():
            colour = Colour.RED if index <= last_red else Colour.YELLOW
            year, month = month_of(index)
            text = _t("%(y)d年%(m)d月") % {"y": year, "m": month}
            yield Finding(pk, month_key(index), colour, self.describe(text, current - index))


@register
class StartOverdue(PlannedMonthRule):
    code = "start_overdue"
    name = _("应开未开")
    description = _("计划开工月份已过，项目仍未开工。")
    yellow_help = _("计划开工月份过后超过几个月亮黄灯（0 = 月份一过即亮）")
    red_help = _("计划开工月份过后超过几个月仍未开工亮红灯")
    which = "start"

    def pending(self) -> "QuerySet[Project]":

        return Project.objects.filter(
            actual_start_date__isnull=True,
            status__in=(ProjectStatus.RESERVE, ProjectStatus.PRELIMINARY, ProjectStatus.SUSPENDED),
        )

    def describe(self, planned: str, months_over: int) -> str:
        return _t("计划%(p)s开工，至今未开工（已过%(n)d个月）。") % {"p": planned, "n": months_over}


@register
class FinishOverdue(PlannedMonthRule):
    code = "finish_overdue"
    name = _("应竣未竣")
    description = _("计划竣工月份已过，项目仍未竣工。")
    yellow_help = _("计划竣工月份过后超过几个月亮黄灯（0 = 月份一过即亮）")
    red_help = _("计划竣工月份过后超过几个月仍未竣工亮红灯")
    which = "completion"

    def pending(self) -> "QuerySet[Project]":

        return Project.objects.filter(actual_completion_date__isnull=True).exclude(
            status__in=(ProjectStatus.COMPLETED, ProjectStatus.OPERATING, ProjectStatus.CANCELLED)
        )

    def describe(self, planned: str, months_over: int) -> str:
        return _t("计划%(p)s竣工，至今未竣工（已过%(n)d个月）。") % {"p": planned, "n": months_over}


def latest_closed_month(today: date) -> tuple[int, int] | None:
    """The latest month whose report deadline has passed: the month figures are judged on."""

    index = month_index(today.year, today.month)
    for back in range(3):
        year, month = month_of(index - back)
        if Period(year, month).deadline < today:
            return year, month
    return None


@register
class InvestmentLag(Rule):
    code = "investment_lag"
    name = _("投资滞后")
    description = _(
        "年度计划完成率落后于时间进度；仅限列入年度计划的项目，未到计划开工时间的新开工项目不计。"
    )
    unit = _("个百分点")
    yellow_help = _("完成率落后时间进度达到多少个百分点亮黄灯")
    red_help = _("完成率落后时间进度超过多少个百分点亮红灯")
    default_yellow, default_red = 10, 30

    def grade(self, amount: float | int | Decimal, config: "AlertRuleConfig") -> str | None:
        # DOMAIN §7: "≥ 10 points" is yellow, "> 30 points" is red.
        if amount > config.red_threshold:
            return Colour.RED
        if amount >= config.yellow_threshold:
            return Colour.YELLOW
        return None

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:

        closed = latest_closed_month(today)
        if closed is None:
            return
        year, month = closed
        # Behind by at least Y points ⇔ done × 1200 ≤ plan × (100 m − 12 Y); the bound is loosened
        # by a few tenths so that rounding is settled exactly below, with the figures' own functions.
        # The year-to-date comes through a join on the project's summary row of the year, not a
        # subquery per entry: SQLite ran such a subquery on its index, a scan of the year each time.
        bound = Decimal(100 * month - 12 * config.yellow_threshold + 3)
        # A 新开工 project not started whose planned start (its own date, else the entry's month)
        # is still to come has nothing to lag behind yet.
        not_yet_due = Q(plan_type=PlanType.NEW_START, project__actual_start_date__isnull=True) & (
            Q(project__planned_start_date__gt=month_end(year, month))
            | Q(project__planned_start_date__isnull=True, planned_start_month__gt=month)
        )
        rows = (
            scope_entries(year, Scope())
            .filter(annual_investment__gt=0)
            .exclude(not_yet_due)
            .alias(progress=this_year(year))
            .annotate(
                done=Coalesce(F(f"progress__{YearProgress.column(month)}"), Value(ZERO), output_field=MONEY)
            )
            .annotate(done_x1200=F("done") * 1200, bound=F("annual_investment") * bound)
            .filter(done_x1200__lte=F("bound"))
            .values_list("project_id", "annual_investment", "done")
        )
        for project_id, annual, completed in rows:
            rate = completion_rate(quantize(completed, 2), annual)
            ahead = ahead_of_time(rate, month)
            if ahead is None:
                continue
            colour = self.grade(-ahead, config)
            if colour:
                message = _t("%(y)d年1—%(m)d月完成年度计划投资的%(r)s%%，慢于时间进度%(p)s个百分点。") % {
                    "y": year,
                    "m": month,
                    "r": rate,
                    "p": -ahead,
                }
                yield Finding(project_id, str(year), colour, message)


@register
class ReportLate(Rule):
    code = "report_late"
    name = _("未按时报送")
    description = _("截止日已过仍未报送进度报告；连续两期未按时报送直接亮红灯。")
    unit = _("天")
    yellow_help = _("报送截止日过后超过几天未报送亮黄灯（0 = 截止日一过即亮）")
    red_help = _("报送截止日过后超过几天仍未报送亮红灯")
    default_yellow, default_red = 0, 5

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        from alerts.choices import AlertState
        from alerts.models import Alert

        def unsubmitted(period: Period, by: date | None = None) -> set[int]:
            """Projects due for `period` with no report submitted (by `by`, or at all)."""
            submitted = Report.objects.of_period(period).filter(first_submitted_at__isnull=False)
            if by is not None:
                submitted = submitted.filter(first_submitted_at__date__lte=by)
            due = projects_due(period).exclude(pk__in=submitted.values("project_id"))
            return set(due.values_list("pk", flat=True))

        evaluated: set[str] = set()
        for frequency in ReportFrequency.values:
            latest = current_period(today, frequency)
            while latest.deadline >= today:
                latest = latest.previous()
            earlier = latest.previous()
            missed_earlier = unsubmitted(earlier, by=earlier.deadline)
            for period in (latest, earlier):
                evaluated.add(f"{frequency}:{period.key}")
                days = (today - period.deadline).days
                for project_id in unsubmitted(period):
                    colour = self.grade(days, config)
                    running = period == latest and project_id in missed_earlier
                    if running:
                        colour = Colour.RED
                    if colour is None:
                        continue
                    message = _t("%(p)s进度报告截止%(d)s，已过%(n)d天仍未报送。") % {
                        "p": period.label,
                        "d": period.deadline.isoformat(),
                        "n": days,
                    }
                    if running:
                        message += _t("上期也未按时报送。")
                    yield Finding(project_id, period.key, colour, message)
        # Warnings of older periods stay lit until their report comes in.
        older = (
            Alert.objects.filter(
                rule=self.code, state=AlertState.OPEN, project__status__in=REPORTING_STATUSES
            )
            .values_list("project_id", "object_key", "project__report_frequency")
            .order_by()
        )
        carried: list[tuple[int, Period]] = []
        for project_id, key, frequency in older:
            if f"{frequency}:{key}" in evaluated:
                continue
            try:
                year, month, *part = (int(x) for x in key.split("-"))
                period = Period(year, month, part[0] if part else 1, frequency)
            except ValueError:
                # Not a period of the project's frequency (the frequency changed since): Period
                # refuses a part the month does not have at it.
                continue
            carried.append((project_id, period))
        if not carried:
            return
        oldest = min(p.sort_key() for _pk, p in carried)
        submitted = set(
            Report.objects.filter(
                project__alerts__rule=self.code,
                project__alerts__state=AlertState.OPEN,
                first_submitted_at__isnull=False,
                seq__gte=oldest,
            ).values_list("project_id", "year", "month", "part")
        )
        for project_id, period in carried:
            if (project_id, period.year, period.month, period.part) in submitted:
                continue
            days = (today - period.deadline).days
            colour = self.grade(days, config) or Colour.YELLOW
            message = _t("%(p)s进度报告截止%(d)s，已过%(n)d天仍未报送。") % {
                "p": period.label,
                "d": period.deadline.isoformat(),
                "n": days,
            }
            yield Finding(project_id, period.key, colour, message)


@register
class ApprovalOverdue(Rule):
    code = "approval_overdue"
    object_model = Procedure
    name = _("审批超时")
    description = _("办理中的手续已用时超过办理时限的一定比例（按手续类型的办理时限）。")
    unit = "%"
    yellow_help = _("已用时超过办理时限的百分之几亮黄灯")
    red_help = _("已用时超过办理时限的百分之几亮红灯")
    default_yellow, default_red = 50, 90

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:

        limits = dict(
            ProcedureType.objects.filter(time_limit_days__gt=0).values_list("pk", "time_limit_days")
        )
        if not limits:
            return
        # One condition per procedure type (a short dictionary): submitted long enough ago to be
        # past the yellow share of that type's limit.
        condition = Q()
        for type_id, limit in limits.items():
            least_days = config.yellow_threshold * limit // 100 + 1
            condition |= Q(type_id=type_id, submitted_on__lte=today - timedelta(days=least_days))
        rows = (
            Procedure.objects.filter(
                condition, status=ProcedureStatus.IN_PROGRESS, submitted_on__isnull=False
            )
            .exclude(project__status=ProjectStatus.CANCELLED)
            .values_list("project_id", "pk", "type_id", "type__name", "submitted_on")
            .order_by()
        )
        for project_id, pk, type_id, type_name, submitted_on in rows:
            assert submitted_on is not None  # filtered on submitted_on__isnull=False
            limit = limits[type_id]
            elapsed = (today - submitted_on).days
            share = Decimal(elapsed * 100) / limit
            colour = self.grade(share, config)
            if colour:
                message = _t("%(t)s自%(s)s申报，已办理%(e)d天，达到办理时限（%(l)d天）的%(p)s%%。") % {
                    "t": type_name,
                    "s": submitted_on.isoformat(),
                    "e": elapsed,
                    "l": limit,
                    "p": f"{share:.0f}",
                }
                yield Finding(project_id, f"procedure:{pk}", colour, message)


@register
class NotInStatistics(Rule):
    code = "not_in_statistics"
    name = _("应入统未入统")
    description = _("项目已开工、总投资达到入统标准，开工后一定时间仍未纳入固定资产投资统计。")
    unit = _("个月")
    yellow_help = _("开工后超过几个月未入统亮黄灯")
    red_help = _("开工后超过几个月仍未入统亮红灯")
    default_yellow, default_red = 1, 2
    default_min_total_investment = Decimal("500.00")

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:

        # A start date more than N months back: add_months(start, N) < today.
        latest_start = add_months(today, -config.yellow_threshold)
        rows = (
            Project.objects.filter(
                actual_start_date__isnull=False, actual_start_date__lte=latest_start, in_statistics=False
            )
            .exclude(status__in=(ProjectStatus.CANCELLED, ProjectStatus.RESERVE, ProjectStatus.PRELIMINARY))
            .values_list("pk", "actual_start_date")
            .order_by()
        )
        for pk, started in rows:
            assert started is not None  # filtered on actual_start_date__isnull=False
            if add_months(started, config.red_threshold) < today:
                colour = Colour.RED
            elif add_months(started, config.yellow_threshold) < today:
                colour = Colour.YELLOW
            else:
                continue
            message = _t("%(d)s开工，至今未纳入固定资产投资统计。") % {"d": started.isoformat()}
            yield Finding(pk, "", colour, message)


@register
class NotInLibrary(Rule):
    code = "not_in_library"
    name = _("应入库未入库")
    description = _(
        "项目已列入本年度计划，但自计划下达（或项目登记）起超过宽限期仍无有效项目代码，"
        "即未在投资项目在线审批监管平台赋码入库。"
    )
    unit = _("天")
    yellow_help = _("计划下达或项目登记后超过几天仍无有效项目代码亮黄灯（宽限期）")
    red_help = _("计划下达或项目登记后超过几天仍无有效项目代码亮红灯")
    default_yellow, default_red = 30, 60

    def findings(self, today: date, config: "AlertRuleConfig") -> Iterable[Finding]:
        # The clock of an entry starts on its plan's 下达日期 (the day the plan was made when it has
        # none), or on the project's registration when that came later: an entry is never older
        # than its project. A project on several lists runs from the earliest.
        rows = (
            PlanEntry.objects.filter(plan__in=Plan.objects.in_force().filter(year=today.year))
            .exclude(project__status=ProjectStatus.CANCELLED)
            .values_list(
                "project_id",
                "project__code",
                "plan__issued_on",
                "plan__created_at",
                "project__created_at",
            )
            .order_by()
        )
        since: dict[int, tuple[date, str]] = {}
        for project_id, code, issued_on, plan_made, registered in rows:
            problem = code_problem(code)
            if problem is None:
                continue
            start = max(
                issued_on or timezone.localtime(plan_made).date(), timezone.localtime(registered).date()
            )
            if project_id not in since or start < since[project_id][0]:
                since[project_id] = (start, problem)
        for project_id, (start, problem) in since.items():
            days = (today - start).days
            colour = self.grade(days, config)
            if colour:
                message = _t(
                    "已列入%(y)d年度计划，自%(d)s起%(n)d天%(p)s，未在投资项目在线审批监管平台赋码入库。"
                ) % {
                    "y": today.year,
                    "d": start.isoformat(),
                    "n": days,
                    "p": problem,
                }
                yield Finding(project_id, str(today.year), colour, message)


def code_problem(code: str) -> str | None:
    """What is wrong with a 项目代码 for 入库 (None when it is a valid code): missing, or why invalid."""
    code = (code or "").strip()
    if not code:
        return _t("仍无项目代码")
    try:
        validate_project_code(code)
    except ValidationError as error:
        return _t("项目代码“%(c)s”无效（%(e)s）") % {"c": code, "e": error.messages[0]}
    return None
