"""审批效能's summary, kept by the database: `ApprovalCell` rows counting the procedures done and
adding up their processing days per month of approval, type, department, investment nature and
green channel.

Every write changes the cells by what it adds and takes away, in the same transaction, whatever
path wrote it (a form, the API, the import, a queryset update, a hand-written statement):

- a procedure inserted adds itself to its cell, one deleted takes itself away, one updated does
  both (its old values away, its new ones added);
- a project whose 投资性质 changes moves its procedures from the cells of the old nature to those
  of the new one.

A procedure counts when it is done (办结) with both its dates: the same condition, month and days
as approvals.figures reads from the tables. SQLite runs a trigger per row; PostgreSQL one per
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

from approvals.models import ApprovalCell
from lib import triggers as lib_triggers
from projects.choices import ProcedureStatus
from projects.models import Procedure, Project

CELLS = ApprovalCell._meta.db_table
PROCEDURES = Procedure._meta.db_table
PROJECTS = Project._meta.db_table
KEY = "year, month, type_id, department_id, nature, green_channel"
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
    return {"year": year, "month": month, "days": days, "counts": counts}


@dataclass(frozen=True)
class Part:
    """Procedures to add to the cells (or, with `sign` "-", to take from them): the rows `r` of
    `tables` that `where` selects and that count, under the investment nature `nature`."""

    r: str
    tables: str
    where: str
    nature: str
    sign: str = ""


def delta(vendor: str, *parts: Part) -> str:
    """One upsert changing the cells by every part at once: a procedure moved from one cell to
    another takes from the first and adds to the second in a single statement that locks the
    cells in their key's order, and a cell whose changes cancel out is not written (nor locked)."""
    rows = []
    for part in parts:
        e = expressions(vendor, part.r)
        rows.append(
            f"SELECT {e['year']} AS y, {e['month']} AS m, {part.r}.type_id AS t, "
            f"COALESCE({part.r}.department_id, 0) AS dep, {part.nature} AS nat, {part.r}.green_channel AS g, "
            f"{part.sign}1 AS n, {part.sign}{e['days']} AS d "
            f"FROM {part.tables} WHERE {part.where} AND {e['counts']}"
        )
    return (
        f'INSERT INTO {CELLS} ({KEY}, "count", days) '
        f"SELECT y, m, t, dep, nat, g, SUM(n), SUM(d) FROM ({' UNION ALL '.join(rows)}) changes "
        "WHERE TRUE GROUP BY y, m, t, dep, nat, g HAVING SUM(n) <> 0 OR SUM(d) <> 0 "
        "ORDER BY y, m, t, dep, nat, g "
        f"ON CONFLICT ({KEY}) DO UPDATE SET "
        f'"count" = {CELLS}."count" + excluded."count", days = {CELLS}.days + excluded.days'
    )


def sqlite_sql() -> tuple[list[str], list[str]]:
    v = "sqlite"
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in WATCHED)
    of = f"{PROJECTS} p"
    new = Part("NEW", of, "p.id = NEW.project_id", "p.investment_nature")
    old = Part("OLD", of, "p.id = OLD.project_id", "p.investment_nature", "-")
    procedures = f"{PROCEDURES} r"
    triggers = {
        "approval_cells_ins": (f"AFTER INSERT ON {PROCEDURES} FOR EACH ROW", delta(v, new)),
        "approval_cells_del": (f"AFTER DELETE ON {PROCEDURES} FOR EACH ROW", delta(v, old)),
        "approval_cells_upd": (
            f"AFTER UPDATE ON {PROCEDURES} FOR EACH ROW WHEN {changed}",
            delta(v, old, new),
        ),
        "approval_cells_nature": (
            f"AFTER UPDATE OF investment_nature ON {PROJECTS} FOR EACH ROW "
            "WHEN OLD.investment_nature IS NOT NEW.investment_nature",
            delta(
                v,
                Part("r", procedures, "r.project_id = NEW.id", "OLD.investment_nature", "-"),
                Part("r", procedures, "r.project_id = NEW.id", "NEW.investment_nature"),
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
        return f"PERFORM 1 FROM {PROJECTS} WHERE id IN (SELECT project_id FROM {rows}) ORDER BY id FOR SHARE;"

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
    added = Part("r", joined("new_rows"), "TRUE", "p.investment_nature")
    taken = Part("r", joined("old_rows"), "TRUE", "p.investment_nature", "-")
    procedures = f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    {lock("new_rows")}
    {delta(v, added)};
  ELSIF TG_OP = 'DELETE' THEN
    {lock("old_rows")}
    {delta(v, taken)};
  ELSE
    {lock("old_rows")}
    {lock("new_rows")}
    {delta(v, Part(taken.r, taken.tables, moved, taken.nature, "-"), Part(added.r, added.tables, moved, added.nature))};
  END IF;
  RETURN NULL;
END"""
    # The projects whose nature the statement changed (any statement on projects fires it), then
    # their procedures.
    changed = (
        "(SELECT n.id, o.investment_nature AS old_nature, n.investment_nature AS new_nature "
        "FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE o.investment_nature IS DISTINCT FROM n.investment_nature) c "
        f"JOIN {PROCEDURES} r ON r.project_id = c.id"
    )
    natures = f"""
BEGIN
  {delta(v, Part("r", changed, "TRUE", "c.old_nature", "-"), Part("r", changed, "TRUE", "c.new_nature"))};
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
    """Every cell again from the tables (after a migrate, or to check); returns how many."""
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    tables = f"{PROCEDURES} r JOIN {PROJECTS} p ON p.id = r.project_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CELLS}")
        cursor.execute(delta(vendor, Part("r", tables, "TRUE", "p.investment_nature")))
        cursor.execute(f"SELECT COUNT(*) FROM {CELLS}")
        return int(cursor.fetchone()[0])
