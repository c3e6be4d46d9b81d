"""The data-quality scan (数据质量扫描) of a month: findings turned into flags, in bulk.

New photos are fingerprinted first. Then, in one transaction: the month's flags are read (their
keys, states and digests, not their evidence), what is found and not flagged yet is opened, a flag
已纠正 found again is opened again, an open flag whose evidence changed (its digest differs from the
finding's) gets the new evidence, an open flag no longer found becomes 已纠正, and a flag 排除 by
hand stays so. The writes are one executemany each, so that the number of queries stays the same
whatever the number of projects; running the scan twice changes nothing the second time.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from lib.dates import add_months
from quality.checks import Finding, fetch, find_all, unique
from quality.choices import FlagState
from quality.fingerprints import fingerprint_new_photos
from quality.models import Flag

logger = logging.getLogger("quality")


@dataclass
class ScanResult:
    year: int
    month: int
    found: int = 0
    opened: int = 0
    reopened: int = 0
    updated: int = 0
    fixed: int = 0
    dismissed: int = 0
    hashed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _db_value(name: str, value: Any) -> Any:
    model_field = Flag._meta.get_field(name)
    assert isinstance(model_field, Field)
    return model_field.get_db_prep_save(value, connection)


def _column(name: str) -> str:
    model_field = Flag._meta.get_field(name)
    assert isinstance(model_field, Field) and model_field.column is not None
    return connection.ops.quote_name(model_field.column)


def _execute_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


INSERTED = (
    "project",
    "year",
    "month",
    "kind",
    "subject",
    "report",
    "photo",
    "evidence",
    "digest",
    "state",
    "found_at",
    "dismiss_reason",
)


def _insert(year: int, month: int, findings: list[Finding], now: Any) -> None:
    table = connection.ops.quote_name(Flag._meta.db_table)
    columns = ", ".join(_column(name) for name in INSERTED)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(INSERTED))})"
    found_at = _db_value("found_at", now)
    state = FlagState.OPEN.value
    _execute_many(
        sql,
        [
            (
                f.project_id,
                year,
                month,
                f.kind,
                f.subject,
                f.report_id,
                f.photo_id,
                _db_value("evidence", f.evidence),
                f.digest,
                state,
                found_at,
                "",
            )
            for f in findings
        ],
    )


def _update(changes: list[tuple[int, Finding]]) -> None:
    """Open again with the finding's evidence, report and photo."""
    table = connection.ops.quote_name(Flag._meta.db_table)
    names = ("evidence", "digest", "report", "photo", "state", "fixed_at")
    sets = ", ".join(f"{_column(name)} = %s" for name in names)
    sql = f"UPDATE {table} SET {sets} WHERE {_column('id')} = %s"
    state = FlagState.OPEN.value
    _execute_many(
        sql,
        [
            (_db_value("evidence", f.evidence), f.digest, f.report_id, f.photo_id, state, None, pk)
            for pk, f in changes
        ],
    )


def _mark_fixed(pks: list[int], now: Any) -> None:
    table = connection.ops.quote_name(Flag._meta.db_table)
    sql = f"UPDATE {table} SET {_column('state')} = %s, {_column('fixed_at')} = %s WHERE {_column('id')} = %s"
    fixed, at = FlagState.FIXED.value, _db_value("fixed_at", now)
    _execute_many(sql, [(fixed, at, pk) for pk in pks])


def scan_month(year: int, month: int) -> ScanResult:
    """Bring the month's flags in line with what the checks find now."""
    result = ScanResult(year, month)
    result.hashed = fingerprint_new_photos()
    found = unique(find_all(year, month))
    result.found = len(found)
    for finding in found.values():
        result.by_kind[finding.kind] = result.by_kind.get(finding.kind, 0) + 1
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (project_id, kind, subject): (pk, state, digest)
            for pk, project_id, kind, subject, state, digest in fetch(
                Flag.objects.filter(year=year, month=month)
                .order_by()
                .values_list("pk", "project_id", "kind", "subject", "state", "digest")
            )
        }
        new: list[Finding] = []
        changed: list[tuple[int, Finding]] = []
        for key, finding in found.items():
            flag = existing.get(key)
            if flag is None:
                new.append(finding)
                continue
            pk, state, digest = flag
            if state == FlagState.DISMISSED:
                result.dismissed += 1
            elif state == FlagState.FIXED:
                changed.append((pk, finding))
                result.reopened += 1
            elif digest != finding.digest:
                changed.append((pk, finding))
                result.updated += 1
        gone = [flag[0] for key, flag in existing.items() if key not in found and flag[1] == FlagState.OPEN]
        _insert(year, month, new, now)
        _update(changed)
        _mark_fixed(gone, now)
    result.opened, result.fixed = len(new), len(gone)
    return result


def months_to_scan(today: date) -> list[tuple[int, int]]:
    """The scheduled scan's months: the month before, whose reports are all in and may still be
    corrected, and the month under way, whose reports come in until its deadline."""
    before = add_months(today.replace(day=1), -1)
    return [(before.year, before.month), (today.year, today.month)]


def scheduled_scan(today: date | None = None) -> list[ScanResult]:
    today = today or timezone.localdate()
    return [scan_month(year, month) for year, month in months_to_scan(today)]
