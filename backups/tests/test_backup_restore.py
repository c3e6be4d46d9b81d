"""Backup and restore: a district's database and files come back whole, into a fresh database.

The round trip backs up the test database (SQLite or PostgreSQL, whichever the suite runs on),
restores the archive into a new, empty database and an empty media folder, and compares every
table's rows, every file's bytes and `manage.py figures --json`.
"""

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from backups.archive import stored_files

YEAR, MONTH = 2026, 11
FILES = {
    "photos/2026/11/工地.jpg": bytes(range(256)) * 40,
    "problems/附件 说明.txt": "征地拆迁进度说明\n".encode(),
    "bulletins/2026/第11期.docx": b"PK\x03\x04" + b"\x00" * 1000,
}


def row_counts() -> dict[str, int]:
    """The number of rows of every table of the database."""
    tables = sorted(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def stored() -> dict[str, bytes]:
    contents = {}
    for name in stored_files(default_storage):
        with default_storage.open(name, "rb") as stream:
            contents[name] = stream.read()
    return contents


def figures_json() -> dict:
    out = io.StringIO()
    call_command("figures", year=YEAR, month=MONTH, json=True, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@contextmanager
def fresh_database(folder: Path) -> Iterator[None]:
    """Point the connection at a new, empty database meanwhile; put the test database back after.

    SQLite: a new file (the test database is in memory, kept aside meanwhile). PostgreSQL: a new
    database beside the test database, dropped afterwards.
    """
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        memory = connection.connection
        connection.connection = None
        settings_dict["NAME"] = str(folder / "restored.sqlite3")
        try:
            yield
        finally:
            connection.close()
            settings_dict["NAME"] = name
            connection.connection = memory
        return
    fresh = connection.ops.quote_name(f"{name}_restored")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {fresh}")
        cursor.execute(f"CREATE DATABASE {fresh}")
    connection.close()
    settings_dict["NAME"] = f"{name}_restored"
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = name
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {fresh}")


@pytest.fixture
def district(transactional_db: None, media: Path) -> None:
    """A small demo district (every kind of record) with uploaded files, its summary built whole."""
    call_command("seed_demo", projects=12, year=YEAR, stdout=io.StringIO())
    for name, content in FILES.items():
        assert default_storage.save(name, ContentFile(content)) == name
    call_command("refresh_figures", all=True, stdout=io.StringIO())


def test_a_restored_backup_has_the_same_rows_files_and_figures(district, tmp_path, settings):
    rows, files, figures = row_counts(), stored(), figures_json()
    archive = tmp_path / "keyprojects.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "已备份到" in out.getvalue() and f"上传文件{len(files)}个" in out.getvalue()
    assert {name: files[name] for name in FILES} == FILES and rows["projects_project"] >= 12

    with fresh_database(tmp_path):
        settings.MEDIA_ROOT = tmp_path / "restored-media"
        assert row_counts() == {} and stored() == {}
        out = io.StringIO()
        call_command("restore", str(archive), stdout=out)
        assert "统计汇总已重建" in out.getvalue()
        assert row_counts() == rows
        assert stored() == files
        assert figures_json() == figures

        # Now the target holds data: a second restore is refused until told.
        with pytest.raises(CommandError, match="已有数据.*--force"):
            call_command("restore", str(archive), stdout=io.StringIO())
        default_storage.save("extra/left-over.txt", ContentFile(b"x"))
        call_command("restore", str(archive), force=True, stdout=io.StringIO())
        assert row_counts() == rows
        assert stored() == files
