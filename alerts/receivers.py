"""The scan runs again after each accepted report, in the background."""

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from alerts.tasks import request_scan
from progress.signals import report_accepted


@receiver(report_accepted)
def scan_after_acceptance(sender: Any, report: Any, **kwargs: Any) -> None:
    transaction.on_commit(request_scan)
