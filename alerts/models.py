import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from alerts.choices import AlertState, Colour, EventKind
from alerts.querysets import AlertQuerySet
from lib.fields import money_field

if TYPE_CHECKING:
    from alerts.rules import Rule
    from org.models import User


class AlertRuleConfig(models.Model):
    """预警规则设置: whether a rule runs, and its yellow and red thresholds (DOMAIN §7)."""

    code = models.CharField(_("规则代码"), max_length=40, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    yellow_threshold = models.PositiveIntegerField(_("黄灯阈值"))
    red_threshold = models.PositiveIntegerField(_("红灯阈值"))
    min_total_investment = money_field(
        _("最低总投资（万元）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("总投资低于此数的项目不亮此灯；留空表示不限。"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("预警规则设置")
        verbose_name_plural = _("预警规则设置")
        ordering = ["code"]

    def __str__(self) -> str:
        rule = self.rule
        return str(rule.name) if rule else self.code

    @property
    def rule(self) -> "Rule | None":
        from alerts.rules import registry

        return registry().get(self.code)

    def clean(self) -> None:
        if (
            self.red_threshold is not None
            and self.yellow_threshold is not None
            and self.red_threshold < self.yellow_threshold
        ):
            raise ValidationError({"red_threshold": _t("红灯阈值不能小于黄灯阈值。")})


class Alert(models.Model):
    """预警 (红黄灯): one finding of a rule about a project and an object, from 亮灯 to 销号."""

    rule = models.CharField(_("预警规则"), max_length=40)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("项目")
    )
    # What within the project the warning is about: "" for the project as a whole, a period
    # ("2026-03"), a year ("2026"), or an object of another table ("procedure:12").
    object_key = models.CharField(_("预警对象"), max_length=60, blank=True)
    colour = models.CharField(_("灯色"), max_length=10, choices=Colour.choices)
    state = models.CharField(_("状态"), max_length=10, choices=AlertState.choices, default=AlertState.OPEN)
    message = models.CharField(_("预警内容"), max_length=300)
    opened_at = models.DateTimeField(_("亮灯时间"), default=timezone.now)
    opened_on = models.DateField(_("亮灯日期"))
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_reason = models.CharField(_("销号原因"), max_length=300, blank=True)
    # Set by a manual 销号 while the condition still holds: the scan does not light the same
    # warning again until the condition has cleared once (or turned red from yellow).
    held_closed = models.BooleanField(default=False, editable=False)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "project", "object_key"],
                condition=models.Q(state="open"),
                name="alert_unique_open",
            )
        ]
        indexes = [
            # Also the summary's pass by rule and colour (AlertQuerySet.summary), read from the index alone.
            models.Index(fields=["rule", "colour", "state"], name="alert_rule_colour_state"),
            # Also the warnings raised and closed by a window's end (考核's 预警销号率), read from the
            # index alone.
            models.Index(
                fields=["project", "state", "colour", "opened_on", "closed_at"], name="alert_project_state"
            ),
            models.Index(fields=["state", "colour"], name="alert_state_colour"),
            # The board's order (AlertQuerySet.in_board_order).
            models.Index(fields=["-state", "colour", "-opened_at", "-id"], name="alert_board_order"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_name} · {self.project.name} · {self.get_colour_display()}"

    @property
    def rule_name(self) -> str:
        from alerts.rules import registry

        rule = registry().get(self.rule)
        return str(rule.name) if rule else self.rule

    @property
    def is_open(self) -> bool:
        return self.state == AlertState.OPEN

    @property
    def subject(self) -> "AlertObject":
        """预警对象 as a person reads it (see describe_objects)."""
        return describe_objects([self])[self.pk]

    @property
    def closed_by_hand(self) -> bool:
        return self.state == AlertState.CLOSED and self.closed_by_id is not None

    def close(self, by: "User", reason: str) -> "AlertEvent":
        """人工销号: a coordinator closes the warning, saying why."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _t("人工销号须填写原因。")})
        if self.state != AlertState.OPEN:
            raise ValidationError(_t("该预警已销号。"))
        now = timezone.now()
        with transaction.atomic():
            updated = Alert.objects.filter(pk=self.pk, state=AlertState.OPEN).update(
                state=AlertState.CLOSED, closed_at=now, closed_by=by, close_reason=reason, held_closed=True
            )
            if not updated:
                raise ValidationError(_t("该预警已销号。"))
            self.state, self.closed_at, self.closed_by, self.close_reason = AlertState.CLOSED, now, by, reason
            self.held_closed = True
            return AlertEvent.objects.create(
                alert=self,
                kind=EventKind.CLOSED_MANUAL,
                colour=self.colour,
                at=now,
                on=timezone.localdate(now),
                by=by,
                note=reason,
            )


class AlertEvent(models.Model):
    """预警记录: one step of a warning — 亮灯, 升级, 自动或人工销号 — with when, who and why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=20, choices=EventKind.choices)
    colour = models.CharField(_("灯色"), max_length=10, choices=Colour.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # The day the scan judged the condition on (a scan may run as of another day).
    on = models.DateField(_("日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class AlertObject:
    """What a warning is about within its project: a name, and the object's page when it has one."""

    label: str
    url: str = ""


YEAR_KEY = re.compile(r"^(\d{4})$")
PERIOD_KEY = re.compile(r"^(\d{4})-(\d{2})(?:-(\d))?$")


def describe_objects(alerts: Iterable[Alert]) -> dict[int, AlertObject]:
    """预警对象 of each warning, by its pk: the project as a whole, a year, a reporting period, or an
    object of the table its rule names (Rule.object_model: "problem:41" is that problem, by its name
    and with a link), one query per table whatever the number of warnings."""
    from alerts.rules import registry
    from progress.periods import Period

    rules = registry()
    alerts = list(alerts)
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for alert in alerts:
        rule = rules.get(alert.rule)
        _prefix, _sep, pk = alert.object_key.partition(":")
        if rule is not None and rule.object_model is not None and pk.isdigit():
            wanted[rule.object_model].add(int(pk))
    # Names of objects often include their project's (资金记录): read it in the same query.
    found = {model: model._default_manager.select_related().in_bulk(pks) for model, pks in wanted.items()}

    def describe(alert: Alert) -> AlertObject:
        key = alert.object_key
        if not key:
            return AlertObject(_t("项目整体"))
        if year := YEAR_KEY.match(key):
            return AlertObject(_t("%(y)s年度") % {"y": year[1]})
        if period := PERIOD_KEY.match(key):
            year_, month = int(period[1]), int(period[2])
            if period[3] is None:
                return AlertObject(_t("%(y)d年%(m)d月") % {"y": year_, "m": month})
            # A part of a month is a reporting period of the project's frequency (上半月, 中旬 …).
            try:
                return AlertObject(Period(year_, month, int(period[3]), alert.project.report_frequency).label)
            except (KeyError, IndexError, ValueError):
                return AlertObject(key)
        rule = rules.get(alert.rule)
        model = rule.object_model if rule is not None else None
        _prefix, _sep, pk = key.partition(":")
        if model is None or not pk.isdigit():
            return AlertObject(key)
        kind = str(model._meta.verbose_name)
        obj = found[model].get(int(pk))
        if obj is None:
            return AlertObject(_t("%(k)s（已删除）") % {"k": kind})
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        return AlertObject(f"{kind}：{obj}", url)

    return {alert.pk: describe(alert) for alert in alerts}


class AlertCell(models.Model):
    """预警汇总单元: the warnings of one rule and colour, open or closed, of one responsible unit and,
    when `per_owner`, one owner unit, counted; and for every rule at once (`rule` empty), the
    projects with a warning. A project has one responsible and owner unit, so the projects of
    cells of different units and owners add up. Built by alerts.cells from the tables, rebuilt
    where `AlertStale` marks say."""

    rule = models.CharField(_("预警规则"), max_length=40, null=True)
    colour = models.CharField(_("灯色"), max_length=10, null=True)
    closed = models.BooleanField(_("已销号"), null=True)
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    alerts = models.IntegerField(default=0)
    projects = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("预警汇总单元")
        verbose_name_plural = _("预警汇总单元")
        indexes = [
            models.Index(fields=["per_owner", "rule"], name="alert_cell_by_kind"),
            # A unit's or an owner's cells, for a user's scope (figures.cells.visible_cells).
            models.Index(fields=["per_owner", "unit_id", "rule"], name="alert_cell_of_unit"),
            models.Index(fields=["per_owner", "owner_unit_id", "rule"], name="alert_cell_of_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.colour} unit {self.unit_id} owner {self.owner_unit_id}"


class AlertStale(models.Model):
    """预警汇总待重算标记: a (responsible unit, owner unit) whose warning cells no longer match the
    tables; without an owner unit, every cell of the responsible unit. The year is always 0."""

    year = models.PositiveSmallIntegerField(_("年度"), default=0)
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警汇总待重算标记")
        verbose_name_plural = _("预警汇总待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="alert_stale_key")]

    def __str__(self) -> str:
        return f"unit {self.unit_id} owner {self.owner_id}"
