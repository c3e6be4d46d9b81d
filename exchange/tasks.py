"""Background tasks of the Excel exchange (django.tasks API; the worker is `manage.py db_worker`)."""

from django_tasks import task


@task()
def expire_import_previews() -> int:
    """导入预览过期: imports left 待确认 past settings.IMPORT_PREVIEW_EXPIRE_HOURS become 已过期;
    returns how many."""
    from exchange.models import ImportBatch

    return ImportBatch.objects.expire_previews()
