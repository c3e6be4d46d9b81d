"""Errors shown as flash messages, for actions that go back to a page instead of showing their form again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest


def flash_errors(request: HttpRequest, errors: BaseForm | ValidationError) -> None:
    """Each message of a form's errors, or of a ValidationError, as an error message of its own, in order."""
    if isinstance(errors, ValidationError):
        found = errors.messages
    else:
        found = [str(message) for field_errors in errors.errors.values() for message in field_errors]
    for message in found:
        messages.error(request, message)
