"""The warning scan (预警扫描): every enabled rule's findings turned into warnings, in bulk.

For each rule, in its own transaction: read the findings, the open warnings and the ones held
closed by hand (three reads whatever the number of projects), then open the new warnings,
escalate yellow to red, close what is no longer found (自动销号) and record every step as an
AlertEvent — with bulk writes. Running it twice for the same day changes nothing the second
time. Openings and escalations are then notified to the people responsible. A failing rule is
logged and skipped; the others still run.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from alerts.choices import COLOUR_RANK, AlertState, Colour, EventKind
from alerts.models import Alert, AlertEvent, AlertRuleConfig
from alerts.rules import Finding, Rule, registry
from notifications.choices import Kind
from notifications.delivery import Message, notify_many
from org.choices import Role
from org.models import User
from projects.models import Project

logger = logging.getLogger("alerts")
# Warnings listed in one digest message; the rest are counted.
DIGEST_LINES = 10


@dataclass
class RuleOutcome:
    opened: int = 0
    escalated: int = 0
    closed: int = 0


@dataclass
class ScanResult:
    today: date
    opened: int = 0
    escalated: int = 0
    closed: int = 0
    by_rule: dict[str, RuleOutcome] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notified: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "opened": self.opened,
            "escalated": self.escalated,
            "closed": self.closed,
            "by_rule": {code: vars(outcome) for code, outcome in self.by_rule.items()},
            "errors": self.errors,
            "notified": self.notified,
        }


def rule_configs() -> dict[str, AlertRuleConfig]:
    """Every registered rule's settings, created with the rule's defaults where missing."""
    rules = registry()
    configs = {c.code: c for c in AlertRuleConfig.objects.all()}
    missing = [rule.default_config() for code, rule in rules.items() if code not in configs]
    if missing:
        AlertRuleConfig.objects.bulk_create(missing, ignore_conflicts=True)
        configs = {c.code: c for c in AlertRuleConfig.objects.all()}
    return configs


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None  # a concrete field: a column of its own
    return connection.ops.quote_name(field.column)


def insert_sql(model: type[Model], fields: list[str]) -> str:
    columns = ", ".join(column(model, f) for f in fields)
    return f"INSERT INTO {table(model)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"


def execute_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    """One executemany for all the rows of a write.

    The first scan of a district writes a warning and an event per finding — 120,000 of each for
    100,000 projects. bulk_create prepares every value through its field and, on SQLite, splits
    the rows into statements of 999 parameters: over a minute in bench/alerts.py, against seconds
    for executemany with values adapted once (the scan's time and day are the same for every row).
    """
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def collect(rule: Rule, config: AlertRuleConfig, today: date) -> dict[tuple[int, str], Finding]:
    """The rule's findings by (project, object); the worst colour wins; the investment floor applies."""

    found: dict[tuple[int, str], Finding] = {}
    for finding in rule.findings(today, config):
        key = (finding.project_id, finding.object_key[:60])
        previous = found.get(key)
        if previous is None or COLOUR_RANK[finding.colour] > COLOUR_RANK[previous.colour]:
            found[key] = finding
    if config.min_total_investment is not None and found:
        below = set(
            Project.objects.filter(total_investment__lt=config.min_total_investment).values_list(
                "pk", flat=True
            )
        )
        found = {key: f for key, f in found.items() if key[0] not in below}
    return found


def apply_rule(rule: Rule, config: AlertRuleConfig, today: date, now: datetime) -> RuleOutcome:
    """Bring one rule's warnings in line with its findings for `today`."""
    outcome = RuleOutcome()
    # One scan of a rule at a time (PostgreSQL row lock; SQLite's IMMEDIATE transactions serialise anyway).
    list(AlertRuleConfig.objects.select_for_update().filter(pk=config.pk).values_list("pk"))
    # A rule switched off finds nothing: its open warnings close.
    found = collect(rule, config, today) if config.enabled else {}
    open_alerts = {
        (project_id, key): (pk, colour)
        for pk, project_id, key, colour in Alert.objects.filter(rule=rule.code, state=AlertState.OPEN)
        .order_by()
        .values_list("pk", "project_id", "object_key", "colour")
    }
    held: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for pk, project_id, object_key, colour in (
        Alert.objects.filter(rule=rule.code, held_closed=True)
        .order_by()
        .values_list("pk", "project_id", "object_key", "colour")
    ):
        held.setdefault((project_id, object_key), []).append((pk, colour))

    to_open: list[Finding] = []
    release: list[int] = []
    for key, finding in found.items():
        if key in open_alerts:
            continue
        held_here = held.get(key, [])
        worst_held = max((COLOUR_RANK[c] for _pk, c in held_here), default=0)
        if COLOUR_RANK[finding.colour] <= worst_held:
            continue
        release += [pk for pk, _c in held_here]
        to_open.append(finding)
    # A warning held closed whose condition has cleared may light again later.
    release += [pk for key, rows in held.items() if key not in found for pk, _c in rows]
    escalate = [
        (pk, found[key])
        for key, (pk, colour) in open_alerts.items()
        if key in found and COLOUR_RANK[found[key].colour] > COLOUR_RANK[colour]
    ]
    to_close = [(pk, colour) for key, (pk, colour) in open_alerts.items() if key not in found]

    at, on = connection.ops.adapt_datetimefield_value(now), connection.ops.adapt_datefield_value(today)
    note = _t("预警条件已消除，自动销号。") if config.enabled else _t("预警规则已停用，自动销号。")
    alert_table = table(Alert)
    execute_many(
        f"UPDATE {alert_table} SET state = %s, closed_at = %s, close_reason = %s WHERE id = %s AND state = %s",
        [(AlertState.CLOSED, at, note, pk, AlertState.OPEN) for pk, _c in to_close],
    )
    execute_many(f"UPDATE {alert_table} SET held_closed = %s WHERE id = %s", [(False, pk) for pk in release])
    execute_many(
        f"UPDATE {alert_table} SET colour = %s, message = %s, escalated_at = %s WHERE id = %s",
        [(f.colour, f.message[:300], at, pk) for pk, f in escalate],
    )
    execute_many(
        insert_sql(
            Alert,
            ["rule", "project_id", "object_key", "colour", "state", "message", "opened_at", "opened_on"]
            + ["close_reason", "held_closed"],
        ),
        [
            (
                rule.code,
                f.project_id,
                f.object_key[:60],
                f.colour,
                AlertState.OPEN,
                f.message[:300],
                at,
                on,
                "",
                False,
            )
            for f in to_open
        ],
    )
    opened_ids = (
        {
            (project_id, key): pk
            for pk, project_id, key in Alert.objects.filter(
                rule=rule.code, state=AlertState.OPEN, opened_at=now
            )
            .order_by()
            .values_list("pk", "project_id", "object_key")
        }
        if to_open
        else {}
    )
    events = [(pk, EventKind.CLOSED_AUTO, colour, at, on, note) for pk, colour in to_close]
    events += [(pk, EventKind.ESCALATED, f.colour, at, on, f.message[:300]) for pk, f in escalate]
    events += [
        (opened_ids[(f.project_id, f.object_key[:60])], EventKind.OPENED, f.colour, at, on, f.message[:300])
        for f in to_open
    ]
    execute_many(insert_sql(AlertEvent, ["alert_id", "kind", "colour", "at", "on", "note"]), events)
    outcome.opened, outcome.escalated, outcome.closed = len(to_open), len(escalate), len(to_close)
    return outcome


def run_scan(
    today: date | None = None, codes: Iterable[str] | None = None, notify: bool = True
) -> ScanResult:
    """Evaluate every enabled rule (or those in `codes`) for all projects as of `today`.

    The open warnings of a rule switched off are closed.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    wanted = set(codes) if codes is not None else None
    result = ScanResult(today)
    configs = rule_configs()
    for code, rule in registry().items():
        config = configs.get(code)
        if config is None or (wanted is not None and code not in wanted):
            continue
        if not config.enabled and not Alert.objects.filter(rule=code, state=AlertState.OPEN).exists():
            continue
        try:
            with transaction.atomic():
                outcome = apply_rule(rule, config, today, now)
        except Exception as error:
            logger.exception("Warning rule %s failed", code)
            result.errors[code] = f"{type(error).__name__}: {error}"
            continue
        result.by_rule[code] = outcome
        result.opened += outcome.opened
        result.escalated += outcome.escalated
        result.closed += outcome.closed
    if notify and (result.opened or result.escalated):
        try:
            result.notified = notify_changes(now)
        except Exception:
            # The warnings stand; the people are told on the next opening or escalation.
            logger.exception("Notifying the warnings of the scan failed")
    return result


def notify_changes(at: datetime) -> int:
    """Tell the people responsible about the warnings opened or escalated at `at`; returns messages."""

    changed = Alert.objects.filter(Q(opened_at=at) | Q(escalated_at=at), state=AlertState.OPEN)
    rows = list(
        changed.order_by("project_id", "id").values(
            "pk",
            "rule",
            "colour",
            "message",
            "escalated_at",
            "project_id",
            "project__name",
            "project__owner_unit_id",
            "project__responsible_unit_id",
            "project__chief_officer__user_id",
            "project__leader_in_charge__user_id",
            "project__chief_officer__phone",
            "project__leader_in_charge__phone",
        )
    )
    if not rows:
        return 0
    people = User.objects.filter(is_active=True).filter(
        Q(role=Role.OWNER, unit_id__in=changed.values("project__owner_unit_id"))
        | Q(role=Role.UNIT, unit_id__in=changed.values("project__responsible_unit_id"))
        | Q(pk__in=changed.values("project__chief_officer__user_id"))
        | Q(pk__in=changed.values("project__leader_in_charge__user_id"))
    )
    owners: dict[int, list[User]] = {}
    units: dict[int, list[User]] = {}
    by_id: dict[int, User] = {}
    for user in people:
        by_id[user.pk] = user
        if user.unit_id is not None and user.role == Role.OWNER:
            owners.setdefault(user.unit_id, []).append(user)
        if user.unit_id is not None and user.role == Role.UNIT:
            units.setdefault(user.unit_id, []).append(user)
    # Each person gets one message per scan: the warning itself when there is one, else a digest,
    # so that the first scan of a district does not send someone a hundred text messages.
    for_person: dict[int, list[Mapping[str, Any]]] = {}
    for_phone: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        recipients = [
            *owners.get(row["project__owner_unit_id"], []),
            *units.get(row["project__responsible_unit_id"], []),
            *(
                by_id[i]
                for i in (row["project__chief_officer__user_id"], row["project__leader_in_charge__user_id"])
                if i in by_id
            ),
        ]
        for user in recipients:
            for_person.setdefault(user.pk, []).append(row)
        # 首席服务员 and 分包领导 without an account are told by SMS.
        for phone, user_id in (
            (row["project__chief_officer__phone"], row["project__chief_officer__user_id"]),
            (row["project__leader_in_charge__phone"], row["project__leader_in_charge__user_id"]),
        ):
            if phone and user_id is None:
                for_phone.setdefault(phone, []).append(row)

    def ordered(changes: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return sorted(changes, key=lambda r: (r["colour"] != Colour.RED, r["pk"]))

    messages = [
        alert_message(by_id[user_id], ordered(changes), at) for user_id, changes in for_person.items()
    ]
    messages += [
        alert_message(None, ordered(changes), at, phones=[phone]) for phone, changes in for_phone.items()
    ]
    return notify_many(messages).notifications


def alert_message(
    user: Any, rows: list[Mapping[str, Any]], at: datetime, phones: list[str] | None = None
) -> Any:
    """The message telling `user` (or, by SMS, a person without an account at `phones`) about the
    warnings of `rows` (red first) opened or escalated at `at`."""

    rules = registry()

    def rule_name(row: Mapping[str, Any]) -> str:
        rule = rules.get(row["rule"])
        return str(rule.name) if rule else row["rule"]

    first = rows[0]
    colour = str(Colour(first["colour"]).label)
    if len(rows) == 1:
        verb = _t("升级为") if first["escalated_at"] == at else _t("亮")
        return Message(
            users=[user] if user is not None else [],
            phones=phones or [],
            title=_t("【%(c)s】%(p)s：%(r)s")
            % {"c": colour, "p": first["project__name"], "r": rule_name(first)},
            body=_t("%(p)s%(v)s%(c)s（%(r)s）：%(m)s")
            % {
                "p": first["project__name"],
                "v": verb,
                "c": colour,
                "r": rule_name(first),
                "m": first["message"],
            },
            link=reverse("projects:detail", args=[first["project_id"]]) + "?tab=alerts",
            kind=Kind.ALERT,
            dedup_key=f"alert:{first['pk']}:{first['colour']}",
            params={"project": first["project__name"], "rule": rule_name(first), "colour": colour},
        )
    red = sum(1 for r in rows if r["colour"] == Colour.RED)
    projects = list(dict.fromkeys(r["project__name"] for r in rows))
    lines = [
        f"{r['project__name']}：{rule_name(r)}（{Colour(r['colour']).label}）{r['message']}"
        for r in rows[:DIGEST_LINES]
    ]
    if len(rows) > DIGEST_LINES:
        lines.append(_t("……另有%(n)d条，请在预警看板查看。") % {"n": len(rows) - DIGEST_LINES})
    return Message(
        users=[user] if user is not None else [],
        phones=phones or [],
        title=_t("新的预警%(n)d条（红灯%(r)d条、黄灯%(y)d条）")
        % {"n": len(rows), "r": red, "y": len(rows) - red},
        body="\n".join(lines),
        link=reverse("alerts:board"),
        kind=Kind.ALERT,
        dedup_key=f"alerts:{at.isoformat()}",
        params={
            "project": _t("%(p)s等%(n)d个项目") % {"p": projects[0], "n": len(projects)},
            "rule": _t("%(n)d项预警") % {"n": len(rows)},
            "colour": colour,
        },
    )
