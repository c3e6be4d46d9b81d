"""What the benchmark scripts share: running a statement on PostgreSQL's maintenance database.

The scripts run as `python bench/NAME.py`, so this folder is on their import path.
"""


def postgres_admin(url: str, sql: str) -> None:
    """One statement (CREATE or DROP DATABASE) outside a transaction, as those need."""
    import psycopg

    with psycopg.connect(
        url.replace("postgres://", "postgresql://", 1), autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(sql)
