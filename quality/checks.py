"""The data-quality checks (数据质量): what in a month's reports looks wrong, read set-wise.

Each check reads the month's submitted and accepted reports of every project at once (a fixed
number of queries whatever the number of projects) and returns findings with their evidence.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from lib.dates import month_end
from progress.choices import ReportState
from progress.models import Report, ReportPhoto, YearProgress, period_seq
from projects.models import Project
from quality.choices import FlagKind
from quality.fingerprints import MAX_DISTANCE, bands, distance
from quality.models import PhotoFingerprint, flag_digest

# Reports a check reads: those sent to the office. Drafts are unfinished, returned ones are being redone.
COUNTED = (ReportState.SUBMITTED, ReportState.ACCEPTED)
# A normal distribution's MAD is 0.6745 of its standard deviation (Iglewicz & Hoaglin's modified
# z-score), and its mean absolute deviation 0.7979: the second scales the z-score when more than
# half the months are equal and the MAD is 0.
MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314
# Periods the 形象进度 text must stay the same for while money grows.
FROZEN_PERIODS = 3
# Other projects named in one duplicate flag's evidence.
MAX_NAMED = 10
EARTH_RADIUS_KM = 6371.0088


@dataclass
class Finding:
    project_id: int
    kind: str
    evidence: dict[str, Any]
    subject: str = ""
    report_id: int | None = None
    photo_id: int | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.project_id, self.kind, self.subject)

    @cached_property
    def digest(self) -> str:
        return flag_digest(self.evidence, self.report_id, self.photo_id)


def money(value: Any) -> str:
    """An amount as evidence keeps it, with its two decimals (SQLite gives floats, PostgreSQL Decimals)."""
    return f"{Decimal(str(value)):.2f}"


def history_years(year: int, month: int, months: int) -> list[int]:
    """The years the `months` months before (year, month) fall in."""
    index = year * 12 + month - 1
    return list(range((index - months) // 12, (index - 1) // 12 + 1))


def fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list queryset as the database driver returns them: the checks read
    hundreds of thousands of amounts, which Django would turn into Decimals one by one."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def window_columns(year: int, month: int, span: int) -> list[tuple[int, list[int]]]:
    """For each year the `span` months before (year, month) fall in, the months of its yearly row to
    read: those of the window, and the one before the window's first (a month's amount is the
    rise over the month before)."""
    first = year * 12 + month - 1 - span
    last = year * 12 + month - 2
    wanted = []
    for y in history_years(year, month, span):
        low = max(1, first - y * 12 + 1)
        high = min(12, last - y * 12 + 1)
        wanted.append((y, list(range(max(1, low - 1), high + 1))))
    return wanted


SPIKE_SQL = """
SELECT c.project_id, c.total, c.last{columns}
FROM (
    SELECT r.project_id, SUM(r.amount) AS total, MAX(r.id) AS last FROM {report} r
    WHERE r.year = %s AND r.month = %s AND r.state IN ({states})
    GROUP BY r.project_id
) c{joins}
WHERE c.total > 0
"""


def spikes(year: int, month: int) -> list[Finding]:
    """本月投资异常偏高: the month's amount far above the project's usual months, by the modified
    z-score against the months with an amount among the last QUALITY_HISTORY_MONTHS (each month's
    amount the rise of its 年度完成投资 in the rollup's yearly rows).

    One query: each project's amount of the month in its counted reports (and its latest report)
    beside the months of its yearly rows the window needs, one joined row per year, so that a
    project comes as one row of the window's figures; the statistics are on arrays."""
    threshold = settings.QUALITY_OUTLIER_Z
    span = settings.QUALITY_HISTORY_MONTHS
    wanted = window_columns(year, month, span)
    quote = connection.ops.quote_name
    columns, joins = "", ""
    for k, (y, months) in enumerate(wanted):
        columns += "".join(f", y{k}.{quote(YearProgress.column(m))}" for m in months)
        joins += (
            f"\nLEFT JOIN {quote(YearProgress._meta.db_table)} y{k}"
            f" ON y{k}.project_id = c.project_id AND y{k}.year = {int(y)}"
        )
    sql = SPIKE_SQL.format(
        columns=columns,
        joins=joins,
        report=quote(Report._meta.db_table),
        states=", ".join(["%s"] * len(COUNTED)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, month, *COUNTED])
        rows = cursor.fetchall()
    if not rows:
        return []
    rows.sort(key=lambda row: row[0])
    ids = [row[0] for row in rows]
    current = [(float(row[1]), row[2]) for row in rows]
    # Missing yearly rows come as NULL, NaN here: no amount for those months.
    table = np.array([row[3:] for row in rows], dtype=float).reshape(len(rows), -1)
    first_index = year * 12 + month - 1 - span
    # One row per project, one column per month of the window; NaN for a month without an amount.
    history = np.full((len(ids), span), np.nan)
    at = 0
    for y, months in wanted:
        block = table[:, at : at + len(months)]
        at += len(months)
        # Each month's amount is the rise of 年度完成投资 over the month before (0 before January).
        if months[0] == 1:
            block = np.concatenate((np.zeros((len(ids), 1)), block), axis=1)
            months = [0, *months]
        amounts = np.diff(block, axis=1)
        column = np.array([y * 12 + m - 1 - first_index for m in months[1:]])
        inside = (column >= 0) & (column < span)
        found = amounts[:, inside]
        history[:, column[inside]] = np.where(found > 0, found, np.nan)
    counts = np.sum(~np.isnan(history), axis=1)
    judged = counts >= settings.QUALITY_MIN_HISTORY_MONTHS
    if not judged.any():
        return []
    history, counts = history[judged], counts[judged]
    ids = [pid for pid, keep in zip(ids, judged, strict=True) if keep]
    current = [amount for amount, keep in zip(current, judged, strict=True) if keep]
    values = np.array([amount for amount, _last in current])
    median = np.nanmedian(history, axis=1)
    deviation = np.abs(history - median[:, None])
    mad = np.nanmedian(deviation, axis=1)
    mean_ad = np.nanmean(deviation, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(
            mad > 0,
            MAD_SCALE * (values - median) / mad,
            np.where(mean_ad > 0, (values - median) / (MEAN_AD_SCALE * mean_ad), np.nan),
        )
    findings = []
    for i in np.flatnonzero(z > threshold).tolist():
        findings.append(
            Finding(
                ids[i],
                FlagKind.SPIKE,
                {
                    "amount": money(current[i][0]),
                    "median": f"{median[i]:.2f}",
                    "mad": f"{mad[i]:.2f}",
                    "z": f"{z[i]:.1f}",
                    "threshold": f"{threshold:g}",
                    "months": int(counts[i]),
                },
                report_id=current[i][1],
            )
        )
    return findings


# The month's reports beside the project's two reports before them (形象进度 text and amount), the
# highest 形象进度（%） reported before in the window, whether another report of the period carries
# the same three figures, and 总投资 — read in the database, which returns only the rows that look
# wrong. The reports before are found through the (project, seq) index for each of the month's
# reports: a few index look-ups a report instead of sorting every report of the window, and the
# columns of a report that looks right are never carried out of the database.
REPORT_CHECKS_SQL = """
WITH twins AS (
    SELECT t.seq, t.amount, t.year_to_date, t.cumulative FROM {report} t
    WHERE t.seq >= %(month_from)s AND t.seq <= %(month_to)s AND t.state IN ({states}) AND t.amount > 0
    GROUP BY t.seq, t.amount, t.year_to_date, t.cumulative HAVING COUNT(*) > 1
), m AS (
    SELECT r.id, r.project_id, r.seq, r.year, r.month, r.amount, r.year_to_date, r.cumulative,
           r.progress_text, r.progress_percent,
           (SELECT b.id FROM {report} b
            WHERE b.project_id = r.project_id AND b.seq >= %(window_from)s AND b.seq < r.seq AND b.state IN ({states})
            ORDER BY b.seq DESC LIMIT 1) AS id_1,
           (SELECT b.id FROM {report} b
            WHERE b.project_id = r.project_id AND b.seq >= %(window_from)s AND b.seq < r.seq AND b.state IN ({states})
            ORDER BY b.seq DESC LIMIT 1 OFFSET 1) AS id_2,
           (SELECT MAX(b.progress_percent) FROM {report} b
            WHERE b.project_id = r.project_id AND b.seq >= %(window_from)s AND b.seq < r.seq AND b.state IN ({states})
           ) AS percent_before
    FROM {report} r
    WHERE r.seq >= %(month_from)s AND r.seq <= %(month_to)s AND r.state IN ({states})
)
SELECT m.id, m.project_id, p.name, m.year, m.month, m.amount, m.year_to_date, m.cumulative,
       m.progress_text, m.progress_percent, p.total_investment AS total,
       r1.progress_text AS text_1, r2.progress_text AS text_2, r1.amount AS amount_1, r2.amount AS amount_2,
       r1.year AS year_1, r1.month AS month_1, r2.year AS year_2, r2.month AS month_2, m.percent_before,
       CASE WHEN (m.seq, m.amount, m.year_to_date, m.cumulative) IN (SELECT * FROM twins) THEN 1 ELSE 0 END
           AS twin
FROM m JOIN {project} p ON p.id = m.project_id
LEFT JOIN {report} r1 ON r1.id = m.id_1
LEFT JOIN {report} r2 ON r2.id = m.id_2
WHERE (p.total_investment > 0 AND m.cumulative > p.total_investment)
    OR (m.seq, m.amount, m.year_to_date, m.cumulative) IN (SELECT * FROM twins)
    OR m.progress_percent < m.percent_before
    OR (TRIM(m.progress_text) <> '' AND TRIM(m.progress_text) = TRIM(r1.progress_text)
        AND TRIM(r1.progress_text) = TRIM(r2.progress_text)
        AND m.amount > 0 AND r1.amount > 0 AND r2.amount > 0)
"""


def report_checks(year: int, month: int) -> list[Finding]:
    """与其他项目数据雷同, 形象进度倒退, 形象进度连续未更新 and 累计超总投资, from one query over the
    counted reports of the month and of the two months before it."""
    first = year * 12 + month - 1 - (FROZEN_PERIODS - 1)
    sql = REPORT_CHECKS_SQL.format(
        report=connection.ops.quote_name(Report._meta.db_table),
        project=connection.ops.quote_name(Project._meta.db_table),
        states=", ".join(f"%(state_{i})s" for i in range(len(COUNTED))),
    )
    params: dict[str, Any] = {
        "window_from": period_seq(first // 12, first % 12 + 1, 0),
        "month_from": period_seq(year, month, 0),
        "month_to": period_seq(year, month, 9),
        **{f"state_{i}": state for i, state in enumerate(COUNTED)},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rows.sort(key=lambda row: (row["project_id"], row["id"]))
    findings: list[Finding] = []
    twins: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        pid, report_id = row["project_id"], row["id"]
        text = (row["progress_text"] or "").strip()
        if (
            text
            and text == (row["text_1"] or "").strip() == (row["text_2"] or "").strip()
            and row["amount"] > 0
            and (row["amount_1"] or 0) > 0
            and (row["amount_2"] or 0) > 0
        ):
            periods = [
                {"year": row["year_2"], "month": row["month_2"], "amount": money(row["amount_2"])},
                {"year": row["year_1"], "month": row["month_1"], "amount": money(row["amount_1"])},
                {"year": row["year"], "month": row["month"], "amount": money(row["amount"])},
            ]
            findings.append(
                Finding(
                    pid, FlagKind.TEXT_FROZEN, {"text": text[:200], "periods": periods}, report_id=report_id
                )
            )
        percent, before = row["progress_percent"], row["percent_before"]
        if percent is not None and before is not None and Decimal(str(percent)) < Decimal(str(before)):
            findings.append(
                Finding(
                    pid,
                    FlagKind.PERCENT_DOWN,
                    {
                        "percent": f"{Decimal(str(percent)):.1f}",
                        "previous_percent": f"{Decimal(str(before)):.1f}",
                    },
                    report_id=report_id,
                )
            )
        if row["twin"] and row["amount"] > 0:
            twins[(money(row["amount"]), money(row["year_to_date"]), money(row["cumulative"]))].append(row)
        total = row["total"]
        if total and Decimal(str(row["cumulative"])) > Decimal(str(total)):
            findings.append(
                Finding(
                    pid,
                    FlagKind.OVER_TOTAL,
                    {"cumulative": money(row["cumulative"]), "total": money(total)},
                    report_id=report_id,
                )
            )
    for (amount, ytd, cumulative), members in twins.items():
        projects = {m["project_id"]: m["name"] for m in members}
        if len(projects) < 2:
            continue
        for member in members:
            others = [{"id": o, "name": n} for o, n in sorted(projects.items()) if o != member["project_id"]]
            findings.append(
                Finding(
                    member["project_id"],
                    FlagKind.DUPLICATE,
                    {
                        "amount": amount,
                        "year_to_date": ytd,
                        "cumulative": cumulative,
                        "others": others[:MAX_NAMED],
                        "count": len(others),
                    },
                    report_id=member["id"],
                )
            )
    return findings


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def photo_findings(year: int, month: int) -> list[Finding]:
    """照片重复使用, 拍摄时间不在本期, 拍摄地点偏离项目: the month's photos against every other
    photo's fingerprint, the month, and the project's coordinates."""
    photos = list(
        ReportPhoto.objects.filter(report__year=year, report__month=month, report__state__in=COUNTED)
        .order_by("pk")
        .values(
            "pk",
            "report_id",
            "report__project_id",
            "report__seq",
            "taken_at",
            "latitude",
            "longitude",
            "report__project__latitude",
            "report__project__longitude",
            "fingerprint__phash",
            "fingerprint__taken_at",
            "fingerprint__latitude",
            "fingerprint__longitude",
        )
    )
    if not photos:
        return []
    findings: list[Finding] = []
    findings += reused_photos(year, month, photos)
    start, end = date(year, month, 1), month_end(year, month)
    limit = settings.QUALITY_PHOTO_MAX_DISTANCE_KM
    for p in photos:
        project_id = p["report__project_id"]
        # What the file's EXIF says; the row's copy of it for a file no longer readable.
        taken = p["fingerprint__taken_at"] or p["taken_at"]
        if taken is not None and not start <= timezone.localtime(taken).date() <= end:
            findings.append(
                Finding(
                    project_id,
                    FlagKind.PHOTO_DATE,
                    {"taken_at": taken.isoformat(), "start": start.isoformat(), "end": end.isoformat()},
                    subject=str(p["pk"]),
                    report_id=p["report_id"],
                    photo_id=p["pk"],
                )
            )
        lat = p["fingerprint__latitude"] if p["fingerprint__latitude"] is not None else p["latitude"]
        lon = p["fingerprint__longitude"] if p["fingerprint__longitude"] is not None else p["longitude"]
        site_lat, site_lon = p["report__project__latitude"], p["report__project__longitude"]
        if None in (lat, lon, site_lat, site_lon):
            continue
        km = km_between(float(lat), float(lon), float(site_lat), float(site_lon))
        if km > limit:
            findings.append(
                Finding(
                    project_id,
                    FlagKind.PHOTO_PLACE,
                    {
                        "distance_km": f"{km:.1f}",
                        "limit_km": f"{limit:g}",
                        "photo": [str(lat), str(lon)],
                        "site": [str(site_lat), str(site_lon)],
                    },
                    subject=str(p["pk"]),
                    report_id=p["report_id"],
                    photo_id=p["pk"],
                )
            )
    return findings


def reused_photos(year: int, month: int, photos: list[dict[str, Any]]) -> list[Finding]:
    """照片重复使用: a photo of the month that is the same picture as a photo of another report, of
    this project in an earlier period or of another project up to this month."""
    hashed = [p for p in photos if p["fingerprint__phash"]]
    if not hashed:
        return []
    month_photos = PhotoFingerprint.objects.filter(
        photo__report__year=year, photo__report__month=month, photo__report__state__in=COUNTED
    ).exclude(phash="")
    shares_a_band = Q()
    for band in ("band0", "band1", "band2", "band3"):
        shares_a_band |= Q(**{f"{band}__in": month_photos.values(band)})
    candidates: list[tuple[Any, ...]] = list(
        PhotoFingerprint.objects.filter(shares_a_band, photo__report__state__in=COUNTED)
        .exclude(phash="")
        .values_list(
            "photo_id",
            "phash",
            "band0",
            "band1",
            "band2",
            "band3",
            "photo__report_id",
            "photo__report__project_id",
            "photo__report__project__name",
            "photo__report__year",
            "photo__report__month",
            "photo__report__seq",
        )
    )
    by_band: list[dict[int, list[tuple[Any, ...]]]] = [defaultdict(list) for _ in range(4)]
    for row in candidates:
        for i in range(4):
            by_band[i][row[2 + i]].append(row)
    findings = []
    for p in hashed:
        own_bands = bands(p["fingerprint__phash"])
        matches: dict[int, dict[str, Any]] = {}
        for i, value in enumerate(own_bands):
            for row in by_band[i].get(value, []):
                other_photo, other_report, other_seq = row[0], row[6], row[11]
                if other_report == p["report_id"] or other_seq > p["report__seq"] or other_photo in matches:
                    continue
                bits = distance(p["fingerprint__phash"], row[1])
                if bits <= MAX_DISTANCE:
                    matches[other_photo] = {
                        "photo": other_photo,
                        "project": row[7],
                        "project_name": row[8],
                        "year": row[9],
                        "month": row[10],
                        "distance": bits,
                    }
        if matches:
            ordered = sorted(
                matches.values(), key=lambda m: (m["distance"], m["year"], m["month"], m["photo"])
            )
            findings.append(
                Finding(
                    p["report__project_id"],
                    FlagKind.PHOTO_REUSED,
                    {"matches": ordered[:MAX_NAMED], "count": len(ordered)},
                    subject=str(p["pk"]),
                    report_id=p["report_id"],
                    photo_id=p["pk"],
                )
            )
    return findings


def find_all(year: int, month: int) -> list[Finding]:
    """Every check's findings for the month."""
    return [*spikes(year, month), *report_checks(year, month), *photo_findings(year, month)]


def unique(findings: Iterable[Finding]) -> dict[tuple[int, str, str], Finding]:
    return {f.key: f for f in findings}
