"""审批效能's summary, kept by the database. `ApprovalCell` rows count the procedures done and add up
their processing days per month of approval, type, department, investment nature and green
channel, three times over: per responsible unit and owner unit of their projects, per responsible
unit, and over every unit. `ApprovalDayCell` rows do the same per day of approval, per responsible
unit and over every unit, and count the procedures in progress per type and day of submission.

A scope of every project reads the cells over every unit. A unit's subtree reads its units'
cells, and the cells of its owners' projects that answer to other units: a department reads a few
of its own, not one per owner of its thousands of projects. The day cells give the days of a
month begun and the procedures in progress past their time limit without reading the procedures.

Every write changes the cells by what it adds and takes away, in the same transaction, whatever
path wrote it (a form, the API, the import, a queryset update, a hand-written statement):

- a procedure inserted adds itself to its cells, one deleted takes itself away, one updated does
  both (its old values away, its new ones added);
- a project whose 投资性质, responsible unit or owner unit changes moves its procedures from the
  cells of the old ones to those of the new ones.

A procedure done counts when it has both its dates: the same condition, month and days as
approvals.figures reads from the tables. SQLite runs a trigger per row; PostgreSQL one per
statement over its transition tables, locking the projects it reads the nature of `FOR SHARE`
first, so that a concurrent change of their nature either waits for it or is seen by it (as the
figures' triggers do, figures.triggers).

SQLite rebuilds a table to alter it, which drops its triggers and refuses while another table's
trigger names it: every `migrate` takes them out first and, afterwards, puts them back and builds
the cells again from the tables (approvals.apps), as it does on PostgreSQL.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection as default_connection

from approvals.models import DAY_KEY as DAY_KEY_FIELDS
from approvals.models import KEY as KEY_FIELDS
from approvals.models import ApprovalCell, ApprovalDayCell
from lib import triggers as lib_triggers
from projects.choices import ProcedureStatus
from projects.models import Procedure, Project

CELLS = ApprovalCell._meta.db_table
DAY_CELLS = ApprovalDayCell._meta.db_table
PROCEDURES = Procedure._meta.db_table
PROJECTS = Project._meta.db_table
KEY = ", ".join(KEY_FIELDS)
DAY_KEY = ", ".join(f'"{field}"' for field in DAY_KEY_FIELDS)
# The kinds of cell a procedure counts in: each a row of `k`, 0 over every unit, 1 per responsible
# unit, 2 per responsible unit and owner unit.
KINDS = "(SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k"
# The project's columns a cell is keyed by, besides the procedure's own.
PROJECT_KEYS = ["investment_nature", "responsible_unit_id", "owner_unit_id"]
# The procedure's columns whose change moves it between cells or out of them.
WATCHED = ["status", "submitted_on", "approved_on", "type_id", "department_id", "green_channel", "project_id"]


def expressions(vendor: str, r: str) -> dict[str, str]:
    """The cell key and days of the procedure row `r`, and whether it counts, in `vendor`'s SQL."""
    if vendor == "postgresql":
        year = f"EXTRACT(YEAR FROM {r}.approved_on)::integer"
        month = f"EXTRACT(MONTH FROM {r}.approved_on)::integer"
        days = f"({r}.approved_on - {r}.submitted_on)"
    else:
        year = f"CAST(strftime('%Y', {r}.approved_on) AS INTEGER)"
        month = f"CAST(strftime('%m', {r}.approved_on) AS INTEGER)"
        days = f"CAST(julianday({r}.approved_on) - julianday({r}.submitted_on) AS INTEGER)"
    counts = f"{r}.status = '{ProcedureStatus.DONE}' AND {r}.submitted_on IS NOT NULL AND {r}.approved_on IS NOT NULL"
    return {
        "year": year,
        "month": month,
        "days": days,
        "counts": counts,
        "approved": day_number(vendor, f"{r}.approved_on"),
        "submitted": f"COALESCE({day_number(vendor, f'{r}.submitted_on')}, 0)",
        "in_progress": f"{r}.status = '{ProcedureStatus.IN_PROGRESS}'",
    }


def day_number(vendor: str, column: str) -> str:
    """The date in `column` as the integer yyyymmdd, in `vendor`'s SQL."""
    if vendor == "postgresql":
        return f"CAST(to_char({column}, 'YYYYMMDD') AS integer)"
    return f"CAST(strftime('%Y%m%d', {column}) AS INTEGER)"


@dataclass(frozen=True)
class Part:
    """Procedures to add to the cells (or, with `sign` "-", to take from them): the rows `r` of
    `tables` that `where` selects and that count, under the investment nature, responsible unit
    and owner unit the columns PROJECT_KEYS of `project` hold (`{}` in it: the column's name)."""

    r: str
    tables: str
    where: str
    project: str
    sign: str = ""

    def column(self, name: str) -> str:
        return self.project.format(name)


def delta(vendor: str, *parts: Part) -> str:
    """One upsert changing the month cells by every part at once, each procedure in its cell of each
    kind (KINDS; a project without a responsible unit has no cell of its own unit): a procedure
    moved from one cell to another takes from the first and adds to the second in a single
    statement that locks the cells in their key's order, and a cell whose changes cancel out is
    not written (nor locked)."""
    rows = []
    for part in parts:
        e = expressions(vendor, part.r)
        unit = f"COALESCE({part.column('responsible_unit_id')}, 0)"
        owner = f"COALESCE({part.column('owner_unit_id')}, 0)"
        rows.append(
            f"SELECT {e['year']} AS y, {e['month']} AS m, {part.r}.type_id AS t, "
            f"COALESCE({part.r}.department_id, 0) AS dep, {part.column('investment_nature')} AS nat, "
            f"{part.r}.green_channel AS g, k.k = 2 AS po, "
            f"CASE WHEN k.k > 0 THEN {unit} ELSE 0 END AS u, CASE WHEN k.k = 2 THEN {owner} ELSE 0 END AS o, "
            f"{part.sign}1 AS n, {part.sign}{e['days']} AS d "
            f"FROM {part.tables}, {KINDS} "
            f"WHERE {part.where} AND {e['counts']} AND (k.k <> 1 OR {unit} <> 0)"
        )
    return upsert(CELLS, KEY, "y, m, t, dep, nat, g, po, u, o", rows)


def day_delta(vendor: str, *parts: Part) -> str:
    """The same for the day cells: each procedure done in the cells of its day of approval, and each
    in progress in those of its day of submission and type."""
    rows = []
    for part in parts:
        e = expressions(vendor, part.r)
        unit = f"COALESCE({part.column('responsible_unit_id')}, 0)"
        owner = f"COALESCE({part.column('owner_unit_id')}, 0)"
        whose = (
            f"k.k = 2 AS po, CASE WHEN k.k > 0 THEN {unit} ELSE 0 END AS u, "
            f"CASE WHEN k.k = 2 THEN {owner} ELSE 0 END AS o"
        )
        of = f"FROM {part.tables}, {KINDS} WHERE {part.where} AND (k.k <> 1 OR {unit} <> 0) AND "
        rows.append(
            f"SELECT {whose}, '{ProcedureStatus.DONE}' AS s, {e['approved']} AS dy, {part.r}.type_id AS t, "
            f"COALESCE({part.r}.department_id, 0) AS dep, {part.column('investment_nature')} AS nat, "
            f"{part.r}.green_channel AS g, {part.sign}1 AS n, {part.sign}{e['days']} AS d {of}{e['counts']}"
        )
        rows.append(
            f"SELECT {whose}, '{ProcedureStatus.IN_PROGRESS}' AS s, {e['submitted']} AS dy, "
            f"{part.r}.type_id AS t, 0 AS dep, '' AS nat, FALSE AS g, {part.sign}1 AS n, 0 AS d "
            f"{of}{e['in_progress']}"
        )
    return upsert(DAY_CELLS, DAY_KEY, "po, u, o, s, dy, t, dep, nat, g", rows)


def upsert(table: str, key: str, columns: str, rows: list[str]) -> str:
    """An upsert adding the `rows` (selecting `columns` of the key, then n and d) to the cells of
    `table`, grouped by their key (`key`, the cells' columns), in its order."""
    return (
        f'INSERT INTO {table} ({key}, "count", days) '
        f"SELECT {columns}, SUM(n), SUM(d) FROM ({' UNION ALL '.join(rows)}) changes "
        f"WHERE TRUE GROUP BY {columns} HAVING SUM(n) <> 0 OR SUM(d) <> 0 "
        f"ORDER BY {columns} "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f'"count" = {table}."count" + excluded."count", days = {table}.days + excluded.days'
    )


def upserts(vendor: str, *parts: Part) -> str:
    """The month cells' upsert, then the day cells' (a SQLite trigger's body)."""
    return f"{delta(vendor, *parts)}; {day_delta(vendor, *parts)}"


def sqlite_sql() -> tuple[list[str], list[str]]:
    v = "sqlite"
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in WATCHED)
    of = f"{PROJECTS} p"
    new = Part("NEW", of, "p.id = NEW.project_id", "p.{}")
    old = Part("OLD", of, "p.id = OLD.project_id", "p.{}", "-")
    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in PROJECT_KEYS)
    procedures = f"{PROCEDURES} r"
    triggers = {
        "approval_cells_ins": (f"AFTER INSERT ON {PROCEDURES} FOR EACH ROW", upserts(v, new)),
        "approval_cells_del": (f"AFTER DELETE ON {PROCEDURES} FOR EACH ROW", upserts(v, old)),
        "approval_cells_upd": (
            f"AFTER UPDATE ON {PROCEDURES} FOR EACH ROW WHEN {changed}",
            upserts(v, old, new),
        ),
        "approval_cells_nature": (
            f"AFTER UPDATE OF {', '.join(PROJECT_KEYS)} ON {PROJECTS} FOR EACH ROW WHEN {moved}",
            upserts(
                v,
                Part("r", procedures, "r.project_id = NEW.id", "OLD.{}", "-"),
                Part("r", procedures, "r.project_id = NEW.id", "NEW.{}"),
            ),
        ),
    }
    create = [
        f"CREATE TRIGGER {name} {when} BEGIN {statement}; END" for name, (when, statement) in triggers.items()
    ]
    drop = [f"DROP TRIGGER IF EXISTS {name}" for name in triggers]
    return create, drop


def postgresql_sql() -> tuple[list[str], list[str]]:
    v = "postgresql"

    def lock(rows: str) -> str:
        return lib_triggers.planned_each_time(
            f"SELECT 1 FROM {PROJECTS} WHERE id IN (SELECT project_id FROM {rows}) ORDER BY id FOR SHARE"
        )

    def executed(*parts: Part) -> str:
        """The month cells' upsert, then the day cells', each planned for the call's rows."""
        return "\n    ".join(
            lib_triggers.planned_each_time(upsert) for upsert in (delta(v, *parts), day_delta(v, *parts))
        )

    def joined(rows: str) -> str:
        return f"{rows} r JOIN {PROJECTS} p ON p.id = r.project_id"

    # An update moves only the rows whose cell or counting changes (a note or a document number
    # written on a done procedure touches no cell).
    old_cols = ", ".join(f"o.{column}" for column in WATCHED)
    new_cols = ", ".join(f"n.{column}" for column in WATCHED)
    moved = (
        f"r.id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        f"WHERE ROW({old_cols}) IS DISTINCT FROM ROW({new_cols}))"
    )
    added = Part("r", joined("new_rows"), "TRUE", "p.{}")
    taken = Part("r", joined("old_rows"), "TRUE", "p.{}", "-")
    procedures = f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    {lock("new_rows")}
    {executed(added)}
  ELSIF TG_OP = 'DELETE' THEN
    {lock("old_rows")}
    {executed(taken)}
  ELSE
    {lock("old_rows")}
    {lock("new_rows")}
    {executed(Part(taken.r, taken.tables, moved, taken.project, "-"), Part(added.r, added.tables, moved, added.project))}
  END IF;
  RETURN NULL;
END"""
    # The projects whose nature or units the statement changed (any statement on projects fires
    # it), then their procedures.
    old_keys = ", ".join(f"o.{column}" for column in PROJECT_KEYS)
    new_keys = ", ".join(f"n.{column}" for column in PROJECT_KEYS)
    changed = (
        f"(SELECT n.id, {', '.join(f'o.{c} AS old_{c}, n.{c} AS new_{c}' for c in PROJECT_KEYS)} "
        "FROM old_rows o JOIN new_rows n ON n.id = o.id "
        f"WHERE ROW({old_keys}) IS DISTINCT FROM ROW({new_keys})) c "
        f"JOIN {PROCEDURES} r ON r.project_id = c.id"
    )
    natures = f"""
BEGIN
  {executed(Part("r", changed, "TRUE", "c.old_{}", "-"), Part("r", changed, "TRUE", "c.new_{}"))}
  RETURN NULL;
END"""
    create = [
        f"CREATE OR REPLACE FUNCTION approval_cells_procedures() RETURNS trigger LANGUAGE plpgsql AS $${procedures}$$",
        f"CREATE OR REPLACE FUNCTION approval_cells_natures() RETURNS trigger LANGUAGE plpgsql AS $${natures}$$",
        f"CREATE TRIGGER approval_cells_ins AFTER INSERT ON {PROCEDURES} REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION approval_cells_procedures()",
        f"CREATE TRIGGER approval_cells_del AFTER DELETE ON {PROCEDURES} REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION approval_cells_procedures()",
        f"CREATE TRIGGER approval_cells_upd AFTER UPDATE ON {PROCEDURES} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION approval_cells_procedures()",
        f"CREATE TRIGGER approval_cells_nature AFTER UPDATE ON {PROJECTS} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION approval_cells_natures()",
    ]
    drop = [
        "DROP FUNCTION IF EXISTS approval_cells_procedures() CASCADE",
        "DROP FUNCTION IF EXISTS approval_cells_natures() CASCADE",
    ]
    return create, drop


def statements(connection: Any) -> tuple[list[str], list[str]]:
    return postgresql_sql() if connection.vendor == "postgresql" else sqlite_sql()


def install(connection: Any = default_connection) -> None:
    lib_triggers.install(connection, statements)


def remove(connection: Any = default_connection) -> None:
    lib_triggers.remove(connection, statements)


def rebuild(connection: Any = default_connection) -> int:
    """Every cell again from the tables (after a migrate, or to check); returns how many month cells."""
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    every = Part("r", f"{PROCEDURES} r JOIN {PROJECTS} p ON p.id = r.project_id", "TRUE", "p.{}")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CELLS}")
        cursor.execute(f"DELETE FROM {DAY_CELLS}")
        cursor.execute(delta(vendor, every))
        cursor.execute(day_delta(vendor, every))
        cursor.execute(f"SELECT COUNT(*) FROM {CELLS}")
        return int(cursor.fetchone()[0])
