"""Background tasks of the notification pipeline (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date

from django_tasks import task

# One run sends at most MAX_BATCHES × BATCH deliveries; the next run (every minute) goes on.
BATCH = 500
MAX_BATCHES = 20


@task()
def deliver_notifications() -> dict[str, int]:
    """Send the deliveries that are due: new ones, deferred ones, retries — batch after batch."""
    from notifications.pipeline import deliver_due

    totals = {"sent": 0, "failed": 0}
    for _batch in range(MAX_BATCHES):
        counts = deliver_due(limit=BATCH)
        totals = {key: totals[key] + counts[key] for key in totals}
        if counts["sent"] + counts["failed"] < BATCH:
            break
    return totals


@task()
def send_report_reminders(today: str | None = None) -> dict[str, int]:
    """报送提醒 of the day: before the deadline to owners, after it to owners and responsible units."""
    from notifications.reminders import send_report_reminders as send

    result = send(date.fromisoformat(today) if today else None)
    return {"notifications": result.notifications, "deliveries": result.deliveries}
