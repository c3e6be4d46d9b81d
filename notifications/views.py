from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from notifications.channels import channel_setup
from notifications.choices import DeliveryStatus
from notifications.forms import PreferenceForm
from notifications.models import Delivery, Notification, NotificationPreference

DELIVERY_SORTS = {
    "created_at": "created_at",
    "channel": "channel",
    "status": "status",
    "attempts": "attempts",
    "next_attempt": "next_try_at",
}


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """消息中心: the user's own messages, unread first when asked."""
    notes = Notification.objects.filter(user=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notes = notes.unread()
    return ListPage(request, notes).render(
        "notifications/inbox.html", "notifications/includes/inbox_list.html", {"only_unread": only_unread}
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's messages read, then follow its link if it has one."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    safe = url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()})
    if request.POST.get("follow") and note.link and safe:
        return redirect(note.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = Notification.objects.filter(user=request.user).mark_read()
    messages.success(request, _("已将%(n)d条消息标为已读。") % {"n": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """通知设置: the user's channels and quiet hours."""
    user = request.user
    current = NotificationPreference.objects.filter(user=user).first() or NotificationPreference.default_for(
        user.pk
    )
    form = PreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "user_obj": user})


@login_required
def delivery_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """发送记录: every outside delivery with its attempts and last error (administrators)."""
    user = request.user
    if not user.is_admin:
        raise PermissionDenied(_("只有系统管理员可以查看发送记录。"))
    deliveries = Delivery.objects.select_related("user")
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return ListPage(request, deliveries, sorts=DELIVERY_SORTS).render(
        "notifications/deliveries.html",
        "notifications/includes/delivery_table.html",
        {"status": status, "statuses": DeliveryStatus.choices, "channels": channel_setup()},
    )
