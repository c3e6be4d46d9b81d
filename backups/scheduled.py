"""每日备份: an archive a day in settings.BACKUP_DIR, the last settings.BACKUP_KEEP kept."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from backups.archive import create_backup

PREFIX = "keyprojects-"
SUFFIX = ".tar.gz"
# Only the names this module writes are ever pruned: keyprojects-YYYYmmdd-HHMMSS.tar.gz.
NAME = re.compile(rf"^{PREFIX}\d{{8}}-\d{{6}}{re.escape(SUFFIX)}$")


def archive_name() -> str:
    return f"{PREFIX}{timezone.localtime():%Y%m%d-%H%M%S}{SUFFIX}"


def scheduled_archives(folder: Path) -> list[Path]:
    """The scheduled backups in `folder`, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if NAME.match(path.name) and path.is_file())


def back_up_and_prune(folder: Path | None = None, keep: int | None = None) -> tuple[Path, list[Path]]:
    """Write today's archive, then remove the oldest scheduled ones beyond `keep`; returns the new
    archive and those removed. The old ones go only after the new one is complete."""
    folder = Path(folder or settings.BACKUP_DIR)
    keep = max(1, keep if keep is not None else settings.BACKUP_KEEP)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / archive_name()
    create_backup(path)
    archives = scheduled_archives(folder)
    removed = archives[: max(0, len(archives) - keep)]
    for old in removed:
        old.unlink(missing_ok=True)
    return path, removed
