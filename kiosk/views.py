"""大屏链接: the coordinator makes, renews and revokes the links that open the big screen without
signing in (kiosk.screen serves them)."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.changes import record, snapshot
from audit.models import OperationLog
from kiosk.forms import ScreenLinkForm
from kiosk.models import ScreenLink
from lib.decorators import coordinator_required
from lib.requests import AuthenticatedHttpRequest

# The session key the new link waits under until the list shows it, once.
NEW_LINK = "kiosk_new_link"
ONLY_COORDINATOR = _("只有统筹协调（重点办）可以管理大屏链接。")


def screen_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("screen:show", args=[token]))


@coordinator_required(ONLY_COORDINATOR)
def links(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The screen links, and the form that makes one; a link just made or renewed is shown in full once."""
    form = ScreenLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            link = form.save(commit=False)
            token = link.new_token()
            link.created_by = request.user
            link.save()
            record(
                request,
                OperationLog.Action.CREATE,
                link,
                changes={k: ["", v] for k, v in snapshot(link).items() if v},
            )
        request.session[NEW_LINK] = [link.pk, screen_url(request, token)]
        messages.success(request, _("大屏链接“%(n)s”已生成。") % {"n": link.name})
        return redirect("kiosk:links")
    new_pk, new_url = request.session.pop(NEW_LINK, [None, ""])
    return render(
        request,
        "kiosk/links.html",
        {
            "form": form,
            "links": ScreenLink.objects.select_related(
                "unit", "town", "category", "created_by", "revoked_by"
            ),
            "new_pk": new_pk,
            "new_url": new_url,
        },
    )


@coordinator_required(ONLY_COORDINATOR)
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """作废: the link stops working at once; the screen showing it says so at its next refresh."""
    link = get_object_or_404(ScreenLink.objects.active(), pk=pk)
    with transaction.atomic():
        link.revoke(by=request.user)
        record(request, OperationLog.Action.STATUS, link, note=_("作废大屏链接"))
    messages.success(request, _("大屏链接“%(n)s”已作废，使用它的屏幕将不再显示数据。") % {"n": link.name})
    return redirect("kiosk:links")


@coordinator_required(ONLY_COORDINATOR)
@require_POST
def renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """重新生成: a new token for the link (a link copied where it should not be); the old one stops working."""
    link = get_object_or_404(ScreenLink.objects.active(), pk=pk)
    with transaction.atomic():
        token = link.new_token()
        link.save(update_fields=["token_hash", "token_hint"])
        record(request, OperationLog.Action.UPDATE, link, note=_("重新生成大屏链接，原链接作废"))
    request.session[NEW_LINK] = [link.pk, screen_url(request, token)]
    messages.success(request, _("已重新生成“%(n)s”的链接，原链接已失效。") % {"n": link.name})
    return redirect("kiosk:links")
