"""Background tasks of reporting (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date

from django_tasks import task

from progress.reminders import send_report_reminders as send


@task()
def send_report_reminders(today: str | None = None) -> dict[str, int]:
    """报送提醒 of the day: before the deadline to owners, after it to owners and responsible units."""
    result = send(date.fromisoformat(today) if today else None)
    return {"notifications": result.notifications, "deliveries": result.deliveries}
