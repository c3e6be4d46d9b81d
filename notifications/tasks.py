"""Background tasks of the notification pipeline (django.tasks API; the worker is `manage.py db_worker`)."""

from django_tasks import task

# One run sends at most MAX_BATCHES × BATCH deliveries; the next run (every minute) goes on.
BATCH = 500
MAX_BATCHES = 20


@task()
def deliver_notifications() -> dict[str, int]:
    """Send the deliveries that are due: new ones, deferred ones, retries — batch after batch."""
    from notifications.delivery import deliver_due

    totals = {"sent": 0, "failed": 0}
    for _batch in range(MAX_BATCHES):
        counts = deliver_due(limit=BATCH)
        totals = {key: totals[key] + counts[key] for key in totals}
        if counts["sent"] + counts["failed"] < BATCH:
            break
    return totals
