"""政银企对接's summary: `FinancingCell` rows adding up a year's financing needs and their signings
per responsible unit and owner unit (and per bank), built from the tables and kept current with
them.

The list of needs opens on every need a user may see, with their sums: how many, the amount
sought, the needs signed, the amount signed, the banks signed with. Read from the tables, that is
every need of the user's projects found through the projects each time: a department's 1,800 of
8,000 at 100,000 projects, four times a page. Read from the cells, a page adds up a few hundred
rows. Triggers mark the (year, responsible unit, owner unit) a write touches in `FinancingStale`,
with the figures' trigger statements (figures.triggers): needs and signings written, and projects
whose units change. `SUMMARY.refreshed()` rebuilds what is marked before the cells are read.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection as default_connection
from django.db.models import Count, Sum

from figures import triggers as figure_triggers
from figures.cells import visible_cells
from figures.summary import Summary, cleared, written
from financing.models import Bank, FinancingCell, FinancingNeed, FinancingStale, Signing
from lib.numbers import percent, quantize
from projects.models import Project

CELLS = FinancingCell._meta.db_table
STALE = FinancingStale._meta.db_table
NEEDS = FinancingNeed._meta.db_table
SIGNINGS = Signing._meta.db_table
PROJECTS = Project._meta.db_table
# The advisory lock a rebuild takes on PostgreSQL (a number of the application's own choosing).
REFRESH_LOCK = 7_202_622

UNIT = "COALESCE(p.responsible_unit_id, 0)"
OWNER = "COALESCE(p.owner_unit_id, 0)"
SOURCES: dict[str, figure_triggers.Source] = {
    NEEDS: (
        "{r}.year",
        UNIT,
        OWNER,
        f"{PROJECTS} p",
        "p.id = {r}.project_id",
        ["project_id", "year", "amount"],
    ),
    SIGNINGS: (
        "n.year",
        UNIT,
        OWNER,
        f"{NEEDS} n, {PROJECTS} p",
        "n.id = {r}.need_id AND p.id = n.project_id",
        ["need_id", "bank_id", "amount"],
    ),
    PROJECTS: (
        "n.year",
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        f"{NEEDS} n",
        "n.project_id = {r}.id",
        ["responsible_unit_id", "owner_unit_id"],
    ),
}
# A project is inserted with no need, and its needs (and theirs signings) go before it is deleted.
EVENTS = {
    NEEDS: ("INSERT", "UPDATE", "DELETE"),
    SIGNINGS: ("INSERT", "UPDATE", "DELETE"),
    PROJECTS: ("UPDATE",),
}
LOCKED = {
    NEEDS: "SELECT project_id FROM {rows}",
    SIGNINGS: f"SELECT n.project_id FROM {NEEDS} n WHERE n.id IN (SELECT need_id FROM {{rows}})",
}
MEASURES = ["needs", "sought", "signed_needs", "signings", "signed"]


def mark_all(connection: Any = default_connection) -> None:
    """Mark every (year, unit) that has needs, so that the next read builds its cells."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT n.year, {UNIT} "
            f"FROM {NEEDS} n JOIN {PROJECTS} p ON p.id = n.project_id"
        )


def rebuild(year: int, units: Iterable[int] | None = None, owners: Iterable[tuple[int, int]] = ()) -> int:
    """Build the financing cells of `year` again from the tables: all of them when `units` is None,
    else those of `units` and of the (unit, owner) pairs of `owners` (owner 0: the projects
    without an owner unit), with their units' cells added up over the owners; returns how many
    cells were written."""
    quote = default_connection.ops.quote_name
    rebuilt = cleared(FinancingCell, year, units, owners, by_year=True)
    if rebuilt is None:
        return 0
    where = f" AND {rebuilt.projects.format('n.project_id')}"
    needs = (
        f"SELECT n.id AS need_id, n.amount, {UNIT} AS unit_id, p.owner_unit_id "
        f"FROM {quote(NEEDS)} n JOIN {quote(PROJECTS)} p ON p.id = n.project_id WHERE n.year = %s{where}"
    )
    params = [year, *rebuilt.params]
    columns = ", ".join(
        quote(column) for column in ["year", "bank_id", "unit_id", "per_owner", "owner_unit_id", *MEASURES]
    )
    table = quote(CELLS)
    # Every bank at once: each need once, with what was signed for it.
    every_bank = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT %s, NULL, nn.unit_id, TRUE, nn.owner_unit_id, COUNT(*), COALESCE(SUM(nn.amount), 0), "
        "COUNT(s.need_id), COALESCE(SUM(s.signings), 0), COALESCE(SUM(s.amount), 0) "
        f"FROM ({needs}) nn LEFT JOIN (SELECT need_id, COUNT(*) AS signings, SUM(amount) AS amount "
        f"FROM {quote(SIGNINGS)} GROUP BY need_id) s ON s.need_id = nn.need_id "
        "GROUP BY nn.unit_id, nn.owner_unit_id"
    )
    by_bank = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT %s, s.bank_id, nn.unit_id, TRUE, nn.owner_unit_id, 0, 0, COUNT(DISTINCT s.need_id), "
        f"COUNT(*), SUM(s.amount) FROM ({needs}) nn JOIN {quote(SIGNINGS)} s ON s.need_id = nn.need_id "
        "GROUP BY s.bank_id, nn.unit_id, nn.owner_unit_id"
    )
    rollup = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT year, bank_id, unit_id, FALSE, NULL, "
        f"{', '.join(f'SUM({quote(measure)})' for measure in MEASURES)} "
        f"FROM {table} WHERE year = %s AND per_owner{rebuilt.units} "
        "GROUP BY year, bank_id, unit_id"
    )
    by_needs = [(statement, [year, *params]) for statement in (every_bank, by_bank)]
    return written(FinancingCell, [*by_needs, (rollup, [year, *rebuilt.unit_params])])


SUMMARY = Summary(
    name="政银企对接",
    cells=FinancingCell,
    stale=FinancingStale,
    sources=SOURCES,
    events=EVENTS,
    locked=LOCKED,
    prefix="financing_stale",
    lock=REFRESH_LOCK,
    rebuild=rebuild,
    years=lambda: FinancingNeed.objects.values_list("year", flat=True),
)


def refreshed() -> bool:
    """SUMMARY.refreshed() for every year marked: whether the cells may be read."""
    return SUMMARY.refreshed(set(FinancingStale.objects.values_list("year", flat=True)))


def totals(user: Any, year: int | None = None) -> dict[str, Any]:
    """FinancingNeedQuerySet.totals() of every need `user` may see (None: every need), of every year
    or of `year`, from the cells."""
    cells = visible_cells(FinancingCell.objects.filter(**({} if year is None else {"year": year})), user)
    row = cells.filter(bank_id__isnull=True).aggregate(
        needs=Sum("needs"), sought=Sum("sought"), signed_needs=Sum("signed_needs"), signed=Sum("signed")
    )
    banks = cells.filter(bank_id__isnull=False, signings__gt=0).aggregate(n=Count("bank_id", distinct=True))
    sought = row["sought"] or Decimal("0")
    signed = row["signed"] or Decimal("0")
    return {
        "needs": row["needs"] or 0,
        "sought": quantize(sought),
        "signed_needs": row["signed_needs"] or 0,
        "signed": quantize(signed),
        "banks": banks["n"] or 0,
        "signing_rate": percent(signed, sought),
    }


def by_bank(year: int, user: Any) -> list[dict[str, Any]]:
    """SigningQuerySet.by_bank() of the signings of `year`'s needs `user` may see (None: every need),
    from the cells: per bank signed with, the needs signed and the amount, largest first."""
    rows = (
        visible_cells(FinancingCell.objects.filter(year=year, bank_id__isnull=False), user)
        .order_by()
        .values("bank_id")
        .annotate(needs=Sum("signed_needs"), amount=Sum("signed"), signings=Sum("signings"))
    )
    found = [row for row in rows if row["signings"]]
    # The banks in the database's order of their names, as the tables' by_bank() sorts ties.
    names = dict(
        Bank.objects.filter(pk__in=[row["bank_id"] for row in found])
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    place = {pk: index for index, pk in enumerate(names)}
    banks = [
        {
            "bank_id": row["bank_id"],
            "bank__name": names.get(row["bank_id"]),
            "needs": row["needs"],
            "amount": quantize(row["amount"]),
        }
        for row in found
    ]
    return sorted(banks, key=lambda bank: (-bank["amount"], place.get(bank["bank_id"], len(place))))
