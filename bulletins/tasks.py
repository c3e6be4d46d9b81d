"""Background tasks of bulletins (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date

from django_tasks import task

from bulletins.digest import send_weekly_digest as send


@task()
def send_weekly_digest(today: str | None = None) -> dict[str, int]:
    """每周简报 to the leaders, the coordinator's office and the group robots."""
    _digest, result = send(date.fromisoformat(today) if today else None)
    return {"notifications": result.notifications, "deliveries": result.deliveries}
