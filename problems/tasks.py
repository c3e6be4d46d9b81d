"""Background tasks of problems and meetings (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date

from django_tasks import task

from problems.announce import send_matter_reminders as send


@task()
def send_matter_reminders(today: str | None = None) -> dict[str, int]:
    """议定事项 due in DEADLINE_REMINDER_DAYS_BEFORE days: their 牵头单位 is reminded."""
    result = send(date.fromisoformat(today) if today else None)
    return {"notifications": result.notifications, "deliveries": result.deliveries}
