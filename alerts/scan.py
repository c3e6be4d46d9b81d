"""The warning scan (预警扫描): every enabled rule's findings turned into warnings, in bulk.

For each rule, in its own transaction: read the findings, the open warnings and the ones held
closed by hand (three reads whatever the number of projects), then open the new warnings,
escalate yellow to red, close what is no longer found (自动销号) and record every step as an
AlertEvent — with bulk writes. Running it twice for the same day changes nothing the second
time. Openings and escalations are then notified to the people responsible. A failing rule is
logged and skipped; the others still run.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from alerts.choices import COLOUR_RANK, AlertState, Colour, EventKind
from alerts.models import Alert, AlertEvent, AlertRuleConfig
from alerts.rules import Finding, Rule, registry

logger = logging.getLogger("alerts")


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


def id_batches(ids: list[int]) -> Iterator[list[int]]:
    """Slices of ids small enough for one statement's parameters on this database."""
    size = 10_000
    if connection.vendor == "sqlite":
        import sqlite3

        with connection.cursor() as cursor:
            limit = cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        size = max(min(size, limit - 20), 100)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def collect(rule: Rule, config: AlertRuleConfig, today: date) -> dict[tuple[int, str], Finding]:
    """The rule's findings by (project, object); the worst colour wins; the investment floor applies."""
    from projects.models import Project

    found: dict[tuple[int, str], Finding] = {}
    for finding in rule.findings(today, config):
        key = (finding.project_id, finding.object_key[:60])
        previous = found.get(key)
        if previous is None or COLOUR_RANK[finding.colour] > COLOUR_RANK[previous.colour]:  # type: ignore[index]
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
    for pk, project_id, key, colour in (
        Alert.objects.filter(rule=rule.code, held_closed=True)
        .order_by()
        .values_list("pk", "project_id", "object_key", "colour")
    ):
        held.setdefault((project_id, key), []).append((pk, colour))

    to_open: list[Alert] = []
    release: list[int] = []
    for key, finding in found.items():
        if key in open_alerts:
            continue
        held_here = held.get(key, [])
        worst_held = max((COLOUR_RANK[c] for _pk, c in held_here), default=0)  # type: ignore[index]
        if COLOUR_RANK[finding.colour] <= worst_held:  # type: ignore[index]
            continue
        release += [pk for pk, _c in held_here]
        to_open.append(
            Alert(
                rule=rule.code,
                project_id=finding.project_id,
                object_key=key[1],
                colour=finding.colour,
                message=finding.message[:300],
                opened_at=now,
                opened_on=today,
            )
        )
    # A warning held closed whose condition has cleared may light again later.
    release += [pk for key, rows in held.items() if key not in found for pk, _c in rows]
    escalate = [
        Alert(pk=pk, colour=found[key].colour, message=found[key].message[:300], escalated_at=now)
        for key, (pk, colour) in open_alerts.items()
        if key in found and COLOUR_RANK[found[key].colour] > COLOUR_RANK[colour]  # type: ignore[index]
    ]
    to_close = [(pk, colour) for key, (pk, colour) in open_alerts.items() if key not in found]

    events: list[AlertEvent] = []
    closing_note = _t("预警条件已消除，自动销号。") if config.enabled else _t("预警规则已停用，自动销号。")
    for batch in id_batches([pk for pk, _c in to_close]):
        Alert.objects.filter(pk__in=batch, state=AlertState.OPEN).update(
            state=AlertState.CLOSED, closed_at=now, close_reason=closing_note
        )
    events += [
        AlertEvent(
            alert_id=pk, kind=EventKind.CLOSED_AUTO, colour=colour, at=now, on=today, note=closing_note
        )
        for pk, colour in to_close
    ]
    for batch in id_batches(release):
        Alert.objects.filter(pk__in=batch).update(held_closed=False)
    if escalate:
        Alert.objects.bulk_update(escalate, ["colour", "message", "escalated_at"], batch_size=500)
        events += [
            AlertEvent(
                alert_id=a.pk, kind=EventKind.ESCALATED, colour=a.colour, at=now, on=today, note=a.message
            )
            for a in escalate
        ]
    Alert.objects.bulk_create(to_open, batch_size=2000)
    events += [
        AlertEvent(alert_id=a.pk, kind=EventKind.OPENED, colour=a.colour, at=now, on=today, note=a.message)
        for a in to_open
    ]
    AlertEvent.objects.bulk_create(events, batch_size=2000)
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
    from notifications.choices import Kind
    from notifications.pipeline import Message, notify_many
    from org.choices import Role
    from org.models import User

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
            "project__chief_officer_id",
            "project__leader_in_charge_id",
        )
    )
    if not rows:
        return 0
    people = User.objects.filter(is_active=True).filter(
        Q(role=Role.OWNER, unit_id__in=changed.values("project__owner_unit_id"))
        | Q(role=Role.UNIT, unit_id__in=changed.values("project__responsible_unit_id"))
        | Q(pk__in=changed.values("project__chief_officer_id"))
        | Q(pk__in=changed.values("project__leader_in_charge_id"))
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
    rules = registry()
    messages = []
    for row in rows:
        recipients = [
            *owners.get(row["project__owner_unit_id"], []),
            *units.get(row["project__responsible_unit_id"], []),
            *(
                by_id[i]
                for i in (row["project__chief_officer_id"], row["project__leader_in_charge_id"])
                if i in by_id
            ),
        ]
        if not recipients:
            continue
        rule = rules.get(row["rule"])
        rule_name = str(rule.name) if rule else row["rule"]
        colour = str(Colour(row["colour"]).label)
        verb = _t("升级为") if row["escalated_at"] == at else _t("亮")
        messages.append(
            Message(
                users=recipients,
                title=_t("【%(c)s】%(p)s：%(r)s") % {"c": colour, "p": row["project__name"], "r": rule_name},
                body=_t("%(p)s%(v)s%(c)s（%(r)s）：%(m)s")
                % {
                    "p": row["project__name"],
                    "v": verb,
                    "c": colour,
                    "r": rule_name,
                    "m": row["message"],
                },
                link=reverse("projects:detail", args=[row["project_id"]]) + "?tab=alerts",
                kind=Kind.ALERT,
                dedup_key=f"alert:{row['pk']}:{row['colour']}",
                params={"project": row["project__name"], "rule": rule_name, "colour": colour},
            )
        )
    return notify_many(messages).notifications
