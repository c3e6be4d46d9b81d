"""Triggers that mark the figures' cells stale on every write to the tables they are built from.

For each changed row they record the (year, responsible unit) whose cells it feeds in
figures_figurestale: plan entries (the plan's year, the project's unit), yearly progress and
reports (their year, the project's unit), projects whose figured fields change (every year
the project is on a plan, under its old and its new unit), and plans whose year changes (the old
and the new year, under their entries' units). PostgreSQL runs one trigger per
statement over its transition tables; SQLite one per row, skipping a mark that is already there
(safe since its write transactions are one at a time). TRUNCATE fires none of them: after one,
run `manage.py refresh_figures --all`.
"""

from django.db import migrations

STALE = "figures_figurestale"

# table: (year, unit, the tables joined, how the changed row `{r}` joins them, the columns whose
# change matters on UPDATE, or None for any)
SOURCES = {
    "plans_planentry": (
        "pl.year",
        "p.responsible_unit_id",
        "plans_plan pl, projects_project p",
        "pl.id = {r}.plan_id AND p.id = {r}.project_id",
        None,
    ),
    "progress_yearprogress": (
        "{r}.year",
        "p.responsible_unit_id",
        "projects_project p",
        "p.id = {r}.project_id",
        None,
    ),
    "progress_report": (
        "{r}.year",
        "p.responsible_unit_id",
        "projects_project p",
        "p.id = {r}.project_id",
        ["year", "month", "part", "project_id", "deadline", "first_submitted_at"],
    ),
    "projects_project": (
        "pl.year",
        "{r}.responsible_unit_id",
        "plans_planentry e, plans_plan pl",
        "e.project_id = {r}.id AND pl.id = e.plan_id",
        [
            "category_id",
            "responsible_unit_id",
            "town_id",
            "status",
            "total_investment",
            "actual_start_date",
            "actual_completion_date",
            "report_frequency",
        ],
    ),
    "plans_plan": (
        "{r}.year",
        "p.responsible_unit_id",
        "plans_planentry e, projects_project p",
        "e.plan_id = {r}.id AND p.id = e.project_id",
        ["year"],
    ),
}
# Projects are neither inserted with entries nor deleted while they have any (PROTECT); a plan's
# entries go before it, and only a change of its year moves them to other cells.
EVENTS = {
    "plans_planentry": ("INSERT", "UPDATE", "DELETE"),
    "progress_yearprogress": ("INSERT", "UPDATE", "DELETE"),
    "progress_report": ("INSERT", "UPDATE", "DELETE"),
    "projects_project": ("UPDATE",),
    "plans_plan": ("UPDATE",),
}
SHORT = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}


def sqlite_sql() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table, (year, unit, tables, where, columns) in SOURCES.items():
        for event in EVENTS[table]:
            name = f"figures_stale_{table}_{SHORT[event]}"
            rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[event]
            when = ""
            if event == "UPDATE" and columns:
                when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            inserts = []
            for r in rows:
                y, u = year.format(r=r), unit.format(r=r)
                inserts.append(
                    f"INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT {y}, {u} FROM {tables} "
                    f"WHERE {where.format(r=r)} AND NOT EXISTS "
                    f"(SELECT 1 FROM {STALE} s WHERE s.year = {y} AND s.unit_id = {u});"
                )
            create.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"BEGIN {' '.join(inserts)} END"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
    return create, drop


def postgresql_sql() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table, (year, unit, tables, where, columns) in SOURCES.items():
        function = f"figures_stale_{table}"

        def marks(rows: str, changed: str = "") -> str:
            return (
                f"SELECT {year.format(r='r')} AS year, {unit.format(r='r')} AS unit_id "
                f"FROM {rows} r, {tables} WHERE {where.format(r='r')}{changed}"
            )

        changed = ""
        if columns:
            old = ", ".join(f"o.{c}" for c in columns)
            new = ", ".join(f"n.{c}" for c in columns)
            changed = (
                " AND r.id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
                f"WHERE ROW({old}) IS DISTINCT FROM ROW({new}))"
            )
        body = f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT year, unit_id FROM ({marks("new_rows")}) m;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT year, unit_id FROM ({marks("old_rows")}) m;
  ELSE
    INSERT INTO {STALE} (year, unit_id) SELECT DISTINCT year, unit_id FROM
      ({marks("old_rows", changed)} UNION {marks("new_rows", changed)}) m;
  END IF;
  RETURN NULL;
END"""
        create.append(f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        for event in EVENTS[table]:
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


# Every (year, unit) that has entries already, so that the first figure read builds its cells.
MARK_ALL = f"""
INSERT INTO {STALE} (year, unit_id)
SELECT DISTINCT pl.year, p.responsible_unit_id
FROM plans_planentry e JOIN plans_plan pl ON pl.id = e.plan_id JOIN projects_project p ON p.id = e.project_id
"""


def create_triggers(apps, schema_editor):
    create, _drop = postgresql_sql() if schema_editor.connection.vendor == "postgresql" else sqlite_sql()
    for statement in create:
        schema_editor.execute(statement, params=None)
    schema_editor.execute(MARK_ALL, params=None)


def drop_triggers(apps, schema_editor):
    _create, drop = postgresql_sql() if schema_editor.connection.vendor == "postgresql" else sqlite_sql()
    for statement in drop:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_add_figure_cells"),
        ("plans", "0002_planentry_counted"),
        ("progress", "0006_drop_monthly_covering_index"),
        ("projects", "0002_add_report_frequency"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
