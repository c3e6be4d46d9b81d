"""Background tasks of the figures (django.tasks API; the worker is `manage.py db_worker`)."""

from django_tasks import task


@task()
def refresh_figures() -> int:
    """统计汇总: rebuild the cells the last writes made stale, so that the next page reads them as
    they are instead of rebuilding them first; returns the stale marks cleared."""
    from figures.cells import refresh

    return refresh()
