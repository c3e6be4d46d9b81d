"""Triggers that mark the figures' cells stale on every write to the tables they are built from.

For each changed row they record the (year, responsible unit, owner unit) whose cells it feeds
in figures_figurestale, so that a month-end save rebuilds the cells of one owner's few projects
rather than those of every project of the responsible unit: plan entries (the plan's year, the
project's units), yearly progress and reports (their year, the project's units), projects
inserted or whose figured fields change (every year the project is on a plan, under its old and
its new units), status changes (every year the project is on a plan: a return from 暂停施工
counts toward 复工率), and plans whose year changes (the old and the new year, under their entries'
units). PostgreSQL runs one trigger per statement over its transition tables; SQLite one per
row, skipping a mark that is already there, or that names the whole unit (safe since its write
transactions are one at a time). TRUNCATE fires none of them: after one, run
`manage.py refresh_figures --all`.

Migration figures.0002 installs them. SQLite rebuilds a table to alter it, which drops its
triggers, and refuses while another table's trigger names it: there every `migrate` takes them
out first and puts them back afterwards, marking every cell stale (figures.apps). On PostgreSQL
they stay, and are reinstalled after a `migrate`.
"""

from typing import Any

from lib import triggers as lib_triggers

STALE = "figures_figurestale"

# A project whose responsible unit is still 待明确 is kept under unit 0, one without an owner unit
# under owner 0.
# table: (year, unit, owner, the tables joined, how the changed row `{r}` joins them, the columns
# whose change matters on UPDATE, or None for any)
Source = tuple[str, str, str, str, str, list[str] | None]
SOURCES: dict[str, Source] = {
    "plans_planentry": (
        "pl.year",
        "COALESCE(p.responsible_unit_id, 0)",
        "COALESCE(p.owner_unit_id, 0)",
        "plans_plan pl, projects_project p",
        "pl.id = {r}.plan_id AND p.id = {r}.project_id",
        None,
    ),
    "progress_yearprogress": (
        "{r}.year",
        "COALESCE(p.responsible_unit_id, 0)",
        "COALESCE(p.owner_unit_id, 0)",
        "projects_project p",
        "p.id = {r}.project_id",
        None,
    ),
    "progress_report": (
        "{r}.year",
        "COALESCE(p.responsible_unit_id, 0)",
        "COALESCE(p.owner_unit_id, 0)",
        "projects_project p",
        "p.id = {r}.project_id",
        ["year", "month", "part", "project_id", "deadline", "first_submitted_at", "state", "amount"],
    ),
    "projects_project": (
        "pl.year",
        "COALESCE({r}.responsible_unit_id, 0)",
        "COALESCE({r}.owner_unit_id, 0)",
        "plans_planentry e, plans_plan pl",
        "e.project_id = {r}.id AND pl.id = e.plan_id",
        [
            "category_id",
            "responsible_unit_id",
            "town_id",
            "owner_unit_id",
            "status",
            "total_investment",
            "actual_start_date",
            "actual_completion_date",
            "report_frequency",
            "is_public",
        ],
    ),
    # A return from 暂停施工 counts toward 复工率 in the years the project is on a plan.
    "projects_projectstatuschange": (
        "pl.year",
        "COALESCE(p.responsible_unit_id, 0)",
        "COALESCE(p.owner_unit_id, 0)",
        "projects_project p, plans_planentry e, plans_plan pl",
        "p.id = {r}.project_id AND e.project_id = p.id AND pl.id = e.plan_id",
        None,
    ),
    "plans_plan": (
        "{r}.year",
        "COALESCE(p.responsible_unit_id, 0)",
        "COALESCE(p.owner_unit_id, 0)",
        "plans_planentry e, projects_project p",
        "e.plan_id = {r}.id AND p.id = e.project_id",
        ["year"],
    ),
}
# A project is not deleted while it has entries (PROTECT), but its entries can go in before it
# within a transaction (the foreign keys are checked at commit). A plan's entries go before it,
# and only a change of its year moves them to other cells.
EVENTS = {
    "plans_planentry": ("INSERT", "UPDATE", "DELETE"),
    "progress_yearprogress": ("INSERT", "UPDATE", "DELETE"),
    "progress_report": ("INSERT", "UPDATE", "DELETE"),
    "projects_project": ("INSERT", "UPDATE"),
    "projects_projectstatuschange": ("INSERT", "UPDATE", "DELETE"),
    "plans_plan": ("UPDATE",),
}
SHORT = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}
# On PostgreSQL, the projects whose unit a row's mark is read from, locked before the mark is read
# (`{rows}` is the transition table): a concurrent change of their unit either waits for this
# transaction, and its own trigger then sees these rows, or this lock waits for it, and the mark
# is read with the new unit. Without it each could miss the other's uncommitted rows.
LOCKED = {
    "plans_planentry": "SELECT project_id FROM {rows}",
    "progress_yearprogress": "SELECT project_id FROM {rows}",
    "progress_report": "SELECT project_id FROM {rows}",
    "projects_projectstatuschange": "SELECT project_id FROM {rows}",
    "plans_plan": "SELECT e.project_id FROM {rows} r JOIN plans_planentry e ON e.plan_id = r.id",
}


def sqlite_sql(
    sources: dict[str, Source] = SOURCES,
    events: dict[str, tuple[str, ...]] = EVENTS,
    stale: str = STALE,
    prefix: str = "figures_stale",
) -> tuple[list[str], list[str]]:
    """The per-row triggers that mark `stale` for each table of `sources` on its `events`, named
    after `prefix`: the figures' own by default, another summary's when it names its own."""
    create, drop = [], []
    for table, (year, unit, owner, tables, where, columns) in sources.items():
        for event in events[table]:
            name = f"{prefix}_{table}_{SHORT[event]}"
            rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[event]
            when = ""
            if event == "UPDATE" and columns:
                when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            inserts = []
            for r in rows:
                y, u, o = year.format(r=r), unit.format(r=r), owner.format(r=r)
                inserts.append(
                    f"INSERT INTO {stale} (year, unit_id, owner_id) SELECT DISTINCT {y}, {u}, {o} "
                    f"FROM {tables} WHERE {where.format(r=r)} AND NOT EXISTS "
                    f"(SELECT 1 FROM {stale} s WHERE s.year = {y} AND s.unit_id = {u} "
                    f"AND (s.owner_id IS NULL OR s.owner_id = {o}));"
                )
            create.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"BEGIN {' '.join(inserts)} END"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def postgresql_marks(source: Source, rows: str, changed: str = "") -> str:
    """The (year, unit, owner) marks of the rows of transition table `rows` of a table of `source`."""
    year, unit, owner, tables, where, _columns = source
    return (
        f"SELECT {year.format(r='r')} AS year, {unit.format(r='r')} AS unit_id, "
        f"{owner.format(r='r')} AS owner_id FROM {rows} r, {tables} WHERE {where.format(r='r')}{changed}"
    )


def postgresql_lock(table: str, rows: str, locked: dict[str, str] = LOCKED) -> str:
    """The statement locking the projects of the rows of `rows` (`locked`), or nothing."""
    if table not in locked:
        return ""
    projects = locked[table].format(rows=rows)
    lock = f"SELECT 1 FROM projects_project WHERE id IN ({projects}) ORDER BY id FOR SHARE"
    return f"{lib_triggers.planned_each_time(lock)}\n    "


def postgresql_sql(
    sources: dict[str, Source] = SOURCES,
    events: dict[str, tuple[str, ...]] = EVENTS,
    stale: str = STALE,
    prefix: str = "figures_stale",
    locked: dict[str, str] = LOCKED,
) -> tuple[list[str], list[str]]:
    """The per-statement triggers that mark `stale`, as sqlite_sql() describes; each locks the
    projects `locked` names for its table first."""
    create, drop = [], []
    for table, source in sources.items():
        columns = source[5]
        function = f"{prefix}_{table}"
        changed = ""
        if columns:
            old = ", ".join(f"o.{c}" for c in columns)
            new = ", ".join(f"n.{c}" for c in columns)
            changed = (
                " AND r.id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
                f"WHERE ROW({old}) IS DISTINCT FROM ROW({new}))"
            )
        into = f"INSERT INTO {stale} (year, unit_id, owner_id) SELECT DISTINCT year, unit_id, owner_id FROM"
        inserted = postgresql_marks(source, "new_rows")
        deleted = postgresql_marks(source, "old_rows")
        updated = f"{postgresql_marks(source, 'old_rows', changed)} UNION {postgresql_marks(source, 'new_rows', changed)}"
        lock_new = postgresql_lock(table, "new_rows", locked)
        lock_old = postgresql_lock(table, "old_rows", locked)
        body = f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    {lock_new}{lib_triggers.planned_each_time(f"{into} ({inserted}) m")}
  ELSIF TG_OP = 'DELETE' THEN
    {lock_old}{lib_triggers.planned_each_time(f"{into} ({deleted}) m")}
  ELSE
    {lock_old}{lock_new}{lib_triggers.planned_each_time(f"{into} ({updated}) m")}
  END IF;
  RETURN NULL;
END"""
        create.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$"
        )
        for event in events[table]:
            name = f"{function}_{SHORT[event]}"
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[event]
            create.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        drop.append(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    return create, drop


# Every (year, unit) that has entries already, all its owners at once (no owner named), so that
# the first figure read builds its cells.
MARK_ALL = f"""
INSERT INTO {STALE} (year, unit_id)
SELECT DISTINCT pl.year, COALESCE(p.responsible_unit_id, 0)
FROM plans_planentry e JOIN plans_plan pl ON pl.id = e.plan_id JOIN projects_project p ON p.id = e.project_id
"""


def statements(connection: Any) -> tuple[list[str], list[str]]:
    """The statements that install the triggers on `connection`'s database, and those that remove them."""
    return postgresql_sql() if connection.vendor == "postgresql" else sqlite_sql()


def install(connection: Any) -> None:
    lib_triggers.install(connection, statements)


def remove(connection: Any) -> None:
    lib_triggers.remove(connection, statements)


def mark_all(connection: Any) -> None:
    """Mark every (year, unit) that has entries stale, so that the next figure read rebuilds it."""
    with connection.cursor() as cursor:
        cursor.execute(MARK_ALL)
