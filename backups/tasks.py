"""Background tasks of the backups (django.tasks API; run by the worker of `manage.py run_worker`)."""

from django_tasks import task


@task()
def daily_backup() -> dict[str, object]:
    """每日备份: an archive in settings.BACKUP_DIR; keeps the last settings.BACKUP_KEEP."""
    from backups.scheduled import back_up_and_prune

    path, removed = back_up_and_prune()
    return {"archive": str(path), "removed": [p.name for p in removed]}
