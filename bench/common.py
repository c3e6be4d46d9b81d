"""What the benchmark scripts share: running a statement on PostgreSQL's maintenance database.

The scripts run as `python bench/NAME.py`, so this folder is on their import path.
"""


def postgres_admin(url: str, sql: str, *, exists_ok: bool = False) -> None:
    """One statement (CREATE or DROP DATABASE) outside a transaction, as those need; with
    `exists_ok`, a CREATE DATABASE of a database that is there already does nothing."""
    import psycopg

    with psycopg.connect(
        url.replace("postgres://", "postgresql://", 1), autocommit=True, connect_timeout=5
    ) as conn:
        try:
            conn.execute(sql)
        except psycopg.errors.DuplicateDatabase:
            if not exists_ok:
                raise
