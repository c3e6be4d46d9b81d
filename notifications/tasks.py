"""Background tasks of the notification pipeline (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date

from django_tasks import task


@task()
def deliver_notifications() -> dict[str, int]:
    """Send the deliveries that are due: new ones, deferred ones, retries."""
    from notifications.pipeline import deliver_due

    return deliver_due()


@task()
def send_report_reminders(today: str | None = None) -> dict[str, int]:
    """报送提醒 of the day: before the deadline to owners, after it to owners and responsible units."""
    from notifications.reminders import send_report_reminders as send

    result = send(date.fromisoformat(today) if today else None)
    return {"notifications": result.notifications, "deliveries": result.deliveries}
