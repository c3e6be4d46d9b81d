"""The figures' summary brought up to date by the request that made it stale.

At month end every save of a report marks its owner's cells stale (figures.triggers), and the next
page that reads figures (a leader's dashboard, the big screen, each of their cards) had to rebuild
them before it could answer. After a successful write the request that wrote rebuilds them itself,
once its transaction is committed: the person saving waits a few milliseconds more, the pages
that read figures find them current. When another process is rebuilding at that moment
(PostgreSQL), the write does not wait for it: the marks stay for the next reader or the task the
scheduler queues every minute.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from figures import cells
from figures.models import FigureStale

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class RefreshAfterWriteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and user is not None
            and user.is_authenticated
        ):
            try:
                # The marks a save writes name an owner; those of a whole unit (after a migrate) or
                # of more owners than a save makes (an import) are left to the readers and the task.
                marks = list(
                    FigureStale.objects.filter(owner_id__isnull=False).values_list("year", flat=True)[
                        : cells.MAX_OWNER_MARKS + 1
                    ]
                )
                if marks and len(marks) <= cells.MAX_OWNER_MARKS:
                    cells.refreshed(set(marks), owners_only=True)
            except DatabaseError:
                # The write stands; the next page that reads figures rebuilds what is stale.
                logger.exception("统计汇总未能在保存后更新")
        return response
