"""Background tasks of data quality (django.tasks API; the worker is `manage.py db_worker`)."""

from datetime import date
from typing import Any

from django_tasks import task


@task()
def scan_data_quality(today: str | None = None) -> list[dict[str, Any]]:
    """数据质量扫描 of the month before and the month under way, as of `today` (ISO date)."""
    from quality.scan import scheduled_scan

    return [result.as_dict() for result in scheduled_scan(date.fromisoformat(today) if today else None)]
