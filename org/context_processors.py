from django.conf import settings
from django.http import HttpRequest

from org.menu import menu_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """Site name, the menu the user may open (org.menu) and settings the layout shows."""
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
        "SITE_NAME": settings.SITE_NAME,
        "REGION_NAME": settings.REGION_NAME,
        "IDLE_TIMEOUT_MINUTES": settings.SESSION_IDLE_TIMEOUT_MINUTES,
    }
