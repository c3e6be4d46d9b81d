"""Background tasks of supervision (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date

from django_tasks import task

from supervision.announce import send_notice_reminders as send


@task()
def send_notice_reminders(today: str | None = None) -> dict[str, int]:
    """督办通知单 due in DEADLINE_REMINDER_DAYS_BEFORE days without a reply: the unit is reminded."""
    result = send(date.fromisoformat(today) if today else None)
    return {"notifications": result.notifications, "deliveries": result.deliveries}
