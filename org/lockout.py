"""Login lockout state kept by django-axes: who is locked out now, and lifting a lockout."""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone


def current_lockouts() -> QuerySet[AccessAttempt]:
    """Failure records that lock their user name out at this moment."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def is_locked_expression() -> Exists:
    """For annotating users: whether their user name is locked out now."""
    return Exists(current_lockouts().filter(username=OuterRef("username")))


def is_locked(username: str) -> bool:
    return current_lockouts().filter(username=username).exists()


def unlock(username: str) -> int:
    """Forget the failed logins of a user name, from every address; the number of records removed."""
    return reset(username=username)
