"""Background tasks of 分包领导 (django.tasks API; the worker is `manage.py db_worker`)."""

from django_tasks import task


@task()
def refresh_leader_cells() -> int:
    """分包领导汇总: rebuild the leader cells the last writes marked (a warnings scan marks many), so
    that the next page reads them as they are instead of rebuilding them first; returns the marks
    cleared."""
    from service.cells import refresh

    return refresh()
