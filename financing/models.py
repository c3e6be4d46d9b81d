from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from catalog.models import DictionaryItem
from financing.choices import FinancingKind
from financing.querysets import FinancingNeedQuerySet, MatchEventQuerySet, SigningQuerySet
from lib.fields import money_field
from lib.stamps import Stamped

POSITIVE = [MinValueValidator(Decimal("0.01"))]
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def this_year() -> int:
    return timezone.localdate().year


class Bank(DictionaryItem):
    """金融机构: the banks a district matches projects with (国家开发银行, 农业发展银行, 工商银行 …)."""

    class Meta(DictionaryItem.Meta):
        verbose_name = _("金融机构")
        verbose_name_plural = _("金融机构")


class FinancingNeed(Stamped):
    """融资需求: what a project asks banks for: how much, for what, over how long."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="financing_needs", verbose_name=_("项目")
    )
    year = models.PositiveSmallIntegerField(_("需求年度"), default=this_year, validators=YEAR_VALIDATORS)
    amount = money_field(_("融资需求（万元）"), validators=POSITIVE)
    purpose = models.CharField(_("资金用途"), max_length=200)
    term_months = models.PositiveSmallIntegerField(
        _("融资期限（月）"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    kind = models.CharField(
        _("融资方式"), max_length=20, choices=FinancingKind.choices, default=FinancingKind.PROJECT_LOAN
    )
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    closed = models.BooleanField(_("已终止对接"), default=False)
    closed_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = FinancingNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["year"]),
            # The list's order (financing.views.need_list), walked from its start, each need asked
            # whether it is the user's, until a page is found.
            models.Index(fields=["-year", "-amount", "id"], name="financing_need_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.amount}万元"

    def get_absolute_url(self) -> str:
        return reverse("financing:need", args=[self.pk])

    def clean(self) -> None:
        self.purpose = (self.purpose or "").strip()
        self.closed_reason = (self.closed_reason or "").strip()
        if not self.purpose:
            raise ValidationError({"purpose": _t("请填写资金用途。")})
        if self.closed and not self.closed_reason:
            raise ValidationError({"closed_reason": _t("终止对接须说明原因。")})
        if not self.closed:
            self.closed_reason = ""


class MatchEvent(Stamped):
    """政银企对接活动: banks meet the projects recommended to them (推介), or sign together (集中签约)."""

    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动名称"), max_length=100, help_text=_("如“2026年重点项目政银企对接会”"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    organizer = models.ForeignKey(
        "org.Unit",
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    banks: "models.ManyToManyField[Bank, Any]" = models.ManyToManyField(
        Bank, verbose_name=_("参加金融机构"), related_name="events", blank=True
    )
    needs: "models.ManyToManyField[FinancingNeed, Any]" = models.ManyToManyField(
        FinancingNeed, verbose_name=_("推介项目"), related_name="events", blank=True
    )
    note = models.TextField(_("活动情况"), blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), editable=False, db_index=True)

    objects = MatchEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("政银企对接活动")
        verbose_name_plural = _("政银企对接活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("financing:event", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = self.held_on.year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "held_on" in update_fields:
            kwargs["update_fields"] = {*update_fields, "year"}
        super().save(*args, **kwargs)


class Signing(Stamped):
    """签约结果: a bank's signed credit for a financing need: how much and when (at an event or not)."""

    need = models.ForeignKey(
        FinancingNeed, on_delete=models.CASCADE, related_name="signings", verbose_name=_("融资需求")
    )
    bank = models.ForeignKey(
        Bank, on_delete=models.PROTECT, related_name="signings", verbose_name=_("签约银行")
    )
    amount = money_field(_("签约金额（万元）"), validators=POSITIVE)
    signed_on = models.DateField(_("签约日期"))
    event = models.ForeignKey(
        MatchEvent,
        verbose_name=_("签约活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signings",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = SigningQuerySet.as_manager()

    class Meta:
        verbose_name = _("签约结果")
        verbose_name_plural = _("签约结果")
        ordering = ["signed_on", "id"]

    def __str__(self) -> str:
        return f"{self.bank} · {self.amount}万元"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today: date = timezone.localdate()
        if self.signed_on and self.signed_on > today:
            errors["signed_on"] = _t("签约日期不能晚于今天。")
        if (
            self.signed_on
            and self.event_id
            and self.event is not None
            and self.signed_on < self.event.held_on
        ):
            errors["signed_on"] = _t("签约日期不能早于签约活动的日期。")
        if errors:
            raise ValidationError(errors)


class FinancingCell(models.Model):
    """融资对接汇总单元: one year's financing needs of one responsible unit and, when `per_owner`, one
    owner unit, added up: needs, the amount sought, the needs signed, the signings and the amount
    signed (`bank_id` empty); or those of the signings with one bank (`bank_id`): the needs signed
    with it, the signings and their amount. A need has one project, so the cells of different
    units and owners add up; the banks of different cells do not, and are counted across the
    cells of each bank. Built by financing.cells from the tables, rebuilt where
    `FinancingStale` marks say."""

    year = models.PositiveSmallIntegerField(_("需求年度"))
    # Plain ids, as the figures' cells keep them: a cell never stands in the way of a deletion.
    bank_id = models.BigIntegerField(_("签约银行"), null=True)
    unit_id = models.BigIntegerField(_("责任单位"))
    per_owner = models.BooleanField(_("按项目单位"), default=False)
    owner_unit_id = models.BigIntegerField(_("项目单位"), null=True)
    needs = models.IntegerField(_("融资需求"), default=0)
    sought = models.DecimalField(_("需求金额"), max_digits=18, decimal_places=2, default=0)
    signed_needs = models.IntegerField(_("已签约需求"), default=0)
    signings = models.IntegerField(_("签约笔数"), default=0)
    signed = models.DecimalField(_("签约金额"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("融资对接汇总单元")
        verbose_name_plural = _("融资对接汇总单元")
        indexes = [
            models.Index(fields=["per_owner", "year"], name="financing_cell_by_kind"),
            # A unit's or an owner's cells, for a user's scope (figures.cells.visible_cells).
            models.Index(fields=["per_owner", "unit_id", "year"], name="financing_cell_of_unit"),
            models.Index(
                fields=["per_owner", "owner_unit_id", "year", "unit_id"], name="financing_cell_of_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} bank {self.bank_id} unit {self.unit_id} owner {self.owner_unit_id}"


class FinancingStale(models.Model):
    """融资对接待重算标记: a (year, responsible unit, owner unit) whose financing cells no longer match
    the tables; without an owner unit, every cell of the responsible unit's year."""

    year = models.PositiveSmallIntegerField(_("需求年度"))
    unit_id = models.BigIntegerField(_("责任单位"))
    owner_id = models.BigIntegerField(_("项目单位"), null=True, blank=True)

    class Meta:
        verbose_name = _("融资对接待重算标记")
        verbose_name_plural = _("融资对接待重算标记")
        indexes = [models.Index(fields=["year", "unit_id"], name="financing_stale_key")]

    def __str__(self) -> str:
        return f"{self.year} unit {self.unit_id} owner {self.owner_id}"
