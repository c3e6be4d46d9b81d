"""Summaries kept by database triggers (figures.triggers, approvals.cells): putting the triggers
in place, taking them out, and keeping them through a `migrate`.

An app's triggers are given by a function of the connection that returns the statements that
create them and those that drop them, for that connection's database.

Before SQLite migrates an app, the triggers come out: SQLite alters a table by building a new one
and copying the rows over, which would fire them on every row and drop them with the old table.
PostgreSQL alters tables in place and keeps them. After the migrate, once the app's own migration
is applied, they are put in place again and the summary made good in the same transaction, since
writes on SQLite went unrecorded meanwhile and a migration may have changed the tables on either.
"""

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate, pre_migrate

Statements = Callable[[Any], tuple[list[str], list[str]]]


def planned_each_time(statement: str) -> str:
    """`statement` as a PL/pgSQL trigger function runs it: by EXECUTE, planned for the transition
    tables of each call. A statement written in the function itself is planned once per
    connection, for the rows of its first call; a plan made for one row then joined 60,000 rows
    to 60,000 for minutes, where planned for them it takes a fraction of a second."""
    return f"EXECUTE $statement${statement}$statement$;"


def install(connection: Any, statements: Statements) -> None:
    """Put the triggers in place (again): each dropped first, then created."""
    create, drop = statements(connection)
    with connection.cursor() as cursor:
        for statement in drop + create:
            cursor.execute(statement)


def remove(connection: Any, statements: Statements) -> None:
    _create, drop = statements(connection)
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


def keep_through_migrate(
    sender: AppConfig,
    migration: tuple[str, str],
    statements: Statements,
    restore: Callable[[Any, list[tuple[Any, bool]]], None],
) -> None:
    """Around every `migrate` of `sender`: the triggers out before SQLite migrates (the app's
    statements drop them if they exist), and after either database has, once `migration` is
    applied, the triggers in and `restore(connection, plan)` making the summary good, in one
    transaction."""

    def applied(connection: Any) -> bool:
        return migration in MigrationRecorder(connection).applied_migrations()

    def before(using: str = "default", **kwargs: Any) -> None:
        # Whatever is applied yet: triggers put in place by an earlier version of the app may name
        # a table that this migrate changes before `migration` is applied.
        connection = connections[using]
        if connection.vendor == "sqlite":
            remove(connection, statements)

    def after(using: str = "default", plan: Any = None, **kwargs: Any) -> None:
        connection = connections[using]
        if not applied(connection):
            return
        with transaction.atomic(using=using):
            install(connection, statements)
            restore(connection, plan or [])

    # Closures, held strongly, and connected once however often the app is made ready.
    pre_migrate.connect(before, sender=sender, weak=False, dispatch_uid=f"{migration}-before")
    post_migrate.connect(after, sender=sender, weak=False, dispatch_uid=f"{migration}-after")


def marking(
    watched: set[str], mark_all: Callable[[Any], None]
) -> Callable[[Any, list[tuple[Any, bool]]], None]:
    """The `restore` of keep_through_migrate() for a summary whose cells are rebuilt where marked:
    every cell marked stale after a migrate when writes may have gone unmarked meanwhile, or the
    cells are new: on SQLite, which ran without the triggers, or after a migration of one of the
    `watched` apps (those of the tables the cells are built from, and the summary's own)."""

    def restore(connection: Any, plan: list[tuple[Any, bool]]) -> None:
        if connection.vendor == "sqlite" or any(migration.app_label in watched for migration, _back in plan):
            mark_all(connection)

    return restore
