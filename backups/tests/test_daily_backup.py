"""每日备份: the scheduler queues it at BACKUP_HOUR; it writes a dated archive and keeps the last N."""

import tarfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from backups.archive import MANIFEST
from backups.tasks import daily_backup
from notifications.models import PeriodicRun
from notifications.scheduler import run_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def folder(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 3
    settings.PERIODIC_TASKS = [t for t in settings.PERIODIC_TASKS if t["name"] == "backups.daily"]
    return settings.BACKUP_DIR


def test_the_scheduler_queues_the_daily_backup_at_backup_hour(db, folder, settings):
    assert settings.PERIODIC_TASKS == [
        {"name": "backups.daily", "task": "backups.tasks.daily_backup", "hour": settings.BACKUP_HOUR}
    ]
    # Queued only: the database queue holds it for the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.PERIODIC_TASKS = [{**settings.PERIODIC_TASKS[0], "hour": 2}]
    PeriodicRun.objects.create(name="backups.daily", last_run_at=datetime(2026, 5, 5, 2, 0, tzinfo=SHANGHAI))
    with time_machine.travel(datetime(2026, 5, 6, 1, 59, tzinfo=SHANGHAI), tick=False):
        assert run_due() == []
    with time_machine.travel(datetime(2026, 5, 6, 2, 0, tzinfo=SHANGHAI), tick=False):
        assert run_due() == ["backups.daily"]
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["backups.tasks.daily_backup"]


# SQLite's backup API copies what is committed (and the test database in memory waits for the
# test's own open transaction): this test commits its data.
@pytest.mark.django_db(transaction=True)
def test_the_daily_backup_writes_a_dated_archive_and_keeps_the_last_three(world, folder):
    folder.mkdir(parents=True)
    older = [folder / f"keyprojects-2026050{day}-020000.tar.gz" for day in range(1, 5)]
    for path in older:
        path.write_bytes(b"an older archive")
    kept_aside = folder / "keyprojects-before-upgrade.tar.gz"
    kept_aside.write_bytes(b"made by hand")

    with time_machine.travel(datetime(2026, 5, 6, 2, 0, 5, tzinfo=SHANGHAI), tick=False):
        result = daily_backup.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    today = folder / "keyprojects-20260506-020005.tar.gz"
    assert result.return_value == {"archive": str(today), "removed": [older[0].name, older[1].name]}
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [older[2].name, older[3].name, today.name, kept_aside.name]
    )
    with tarfile.open(today) as archive:
        names = archive.getnames()
    assert names[0] == MANIFEST and names[1] in ("database.sqlite3", "database.pgdump")
