import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.choices import PlanLevel
from plans.scope import Scope

if TYPE_CHECKING:
    from org.models import User

# secrets.token_urlsafe(32): 43 characters, 256 bits.
TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    """What is kept of a token: its SHA-256, so that the table read by someone gives no working link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ScreenLinkQuerySet(models.QuerySet["ScreenLink"]):
    def active(self) -> "ScreenLinkQuerySet":
        return self.filter(revoked_at__isnull=True)

    def by_token(self, token: str) -> "ScreenLink | None":
        """The link a token opens, or None for a token unknown or revoked."""
        if not token or len(token) > 100:
            return None
        return (
            self.active()
            .select_related("unit", "town", "category")
            .filter(token_hash=token_digest(token))
            .first()
        )


class ScreenLink(models.Model):
    """大屏链接: an address with a long random token that shows the big screen without signing in, read
    only and without personal contacts, for the PC driving the hall's LED screen; limited to a scope
    when the coordinator says so, and revoked (作废) when no longer wanted."""

    name = models.CharField(_("名称"), max_length=60, help_text=_("如：行政中心一楼大厅LED屏"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so that a link can be told apart in the list.
    token_hint = models.CharField(_("令牌开头"), max_length=8, editable=False)
    level = models.CharField(_("计划级别"), max_length=20, choices=PlanLevel.choices, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位（含下级）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    town = models.ForeignKey(
        "org.Unit",
        verbose_name=_("乡镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "town"},
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("项目类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("最近访问"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ScreenLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("大屏链接")
        verbose_name_plural = _("大屏链接")
        ordering = ["revoked_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def new_token(self) -> str:
        """Give the link a new token and return it: the only time the token is known in full."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.token_hash = token_digest(token)
        self.token_hint = token[:6]
        return token

    def scope(self) -> Scope:
        """What the screen counts: the year's plans, narrowed as the link says; no user, so that the
        scope is the link's and never a session's."""
        return Scope(level=self.level or None, unit=self.unit, town=self.town, category=self.category)

    def revoke(self, by: "User") -> None:
        """作废: the link stops working at once."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])

    def mark_used(self) -> None:
        """Note the screen's visit, at most once a minute, whatever the number of its requests."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= 60:
            ScreenLink.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
