from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _t

from audit.changes import record
from audit.filtersets import LoginLogFilterSet, OperationLogFilterSet
from audit.models import LoginLog, OperationLog
from lib.decorators import admin_required
from lib.listing import ListPage
from lib.xlsx import build_workbook, xlsx_response


def export(request: HttpRequest, title: str, headers: list[str], rows: Iterator[list[Any]]) -> HttpResponse:
    """The filtered log as .xlsx, the export itself written to the operation log."""
    content = build_workbook(title, headers, rows)
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return xlsx_response(f"{title}{stamp}.xlsx", content)


def changes_text(changes: dict[str, list[str]]) -> str:
    """变更内容 as lines of "field: before → after"."""
    empty = _t("（空）")
    return "\n".join(
        _t("%(label)s：%(before)s → %(after)s")
        % {"label": label, "before": pair[0] or empty, "after": pair[1] or empty}
        for label, pair in changes.items()
    )


LOGIN_SORTS = {"at": "at", "username": "username", "name": "user__name", "event": "event"}
OPERATION_SORTS = {"at": "at", "user": "user__name", "action": "action", "object_type": "object_type"}


@admin_required
def login_log(request: HttpRequest) -> HttpResponse:
    logins = LoginLog.objects.select_related("user")
    listing = ListPage(request, logins, LoginLogFilterSet, sorts=LOGIN_SORTS)
    if listing.exporting:
        rows = (
            [
                log.at,
                log.username,
                log.user.name if log.user else "",
                log.get_event_display(),
                log.ip_address or "",
                log.user_agent,
            ]
            for log in listing.rows[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000)
        )
        headers = [_t("时间"), _t("用户名"), _t("姓名"), _t("事件"), _t("IP地址"), _t("浏览器")]
        return export(request, _t("登录日志"), headers, rows)
    return listing.render(
        "audit/login_log.html", "audit/includes/login_table.html", {"filter": listing.filterset}
    )


@admin_required
def operation_log(request: HttpRequest) -> HttpResponse:
    logs = OperationLog.objects.select_related("user", "project")
    listing = ListPage(request, logs, OperationLogFilterSet, sorts=OPERATION_SORTS)
    if listing.exporting:
        rows = (
            [
                log.at,
                log.user.get_full_name() if log.user else "",
                log.user.username if log.user else "",
                log.ip_address or "",
                log.get_action_display(),
                log.object_type,
                log.object_repr,
                changes_text(log.changes),
                log.note,
            ]
            for log in listing.rows[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000)
        )
        headers = [
            _t("时间"),
            _t("姓名"),
            _t("用户名"),
            _t("IP地址"),
            _t("操作"),
            _t("对象类型"),
            _t("对象"),
            _t("变更内容"),
            _t("说明"),
        ]
        return export(request, _t("操作日志"), headers, rows)
    return listing.render(
        "audit/operation_log.html", "audit/includes/operation_table.html", {"filter": listing.filterset}
    )
