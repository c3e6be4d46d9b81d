"""Signals other apps listen to (the warning scan runs after each accepted report)."""

from django.dispatch import Signal

# Sent with report=<Report> once a report has been accepted and saved.
report_accepted = Signal()
