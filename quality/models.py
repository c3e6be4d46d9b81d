import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from projects.querysets import ScopedQuerySet
from quality.choices import FlagKind, FlagState

if TYPE_CHECKING:
    from org.models import User


def month_label(year: int, month: int) -> str:
    return _t("%(y)d年%(m)d月") % {"y": year, "m": month}


class FlagQuerySet(ScopedQuerySet["Flag"]):
    def open(self) -> "FlagQuerySet":
        return self.filter(state=FlagState.OPEN)

    def of_month(self, year: int, month: int) -> "FlagQuerySet":
        return self.filter(year=year, month=month)


class Flag(models.Model):
    """数据质量疑点: a project's report of a month that looks wrong, with the evidence found.

    One flag per (project, month, kind, subject): the subject tells apart two flags of one kind in
    a month (the photo concerned, the other project with identical figures). A scan opens what it
    finds, marks 已纠正 what it no longer finds, and leaves a flag 已排除 by hand as it is.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="quality_flags", verbose_name=_("项目")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    kind = models.CharField(_("疑点类型"), max_length=20, choices=FlagKind.choices)
    subject = models.CharField(max_length=40, blank=True, editable=False)
    report = models.ForeignKey(
        "progress.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quality_flags",
        verbose_name=_("进度报告"),
    )
    photo = models.ForeignKey(
        "progress.ReportPhoto",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quality_flags",
        verbose_name=_("照片"),
    )
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    # What the scan found, in 32 hex digits (flag_digest): a rescan compares it, not the evidence.
    digest = models.CharField(max_length=32, blank=True, editable=False)
    state = models.CharField(_("状态"), max_length=20, choices=FlagState.choices, default=FlagState.OPEN)
    found_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    fixed_at = models.DateTimeField(_("纠正时间"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("排除人"),
    )
    dismissed_at = models.DateTimeField(_("排除时间"), null=True, blank=True)
    dismiss_reason = models.CharField(_("排除理由"), max_length=300, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据质量疑点")
        verbose_name_plural = _("数据质量疑点")
        ordering = ["-year", "-month", "project_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month", "kind", "subject"], name="quality_flag_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "month", "state"]), models.Index(fields=["state", "kind"])]

    def __str__(self) -> str:
        return f"{self.project} · {self.period_label} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("quality:detail", args=[self.pk])

    @property
    def period_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def period_label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def detail(self) -> str:
        """The flag in one sentence, in the reader's language, from its evidence."""
        e = self.evidence
        kind = self.kind
        if kind == FlagKind.SPIKE:
            return _t(
                "本月完成投资%(a)s万元，远高于该项目此前%(n)d个有投资月份的中位数%(m)s万元"
                "（修正Z分数%(z)s，超过阈值%(t)s）。"
            ) % {"a": e["amount"], "n": e["months"], "m": e["median"], "z": e["z"], "t": e["threshold"]}
        if kind == FlagKind.DUPLICATE:
            others = e.get("others", [])
            names = "、".join(f"“{o['name']}”" for o in others[:3])
            text = _t("本期、年度、累计完成投资（%(a)s / %(y)s / %(c)s万元）与同期%(names)s完全相同") % {
                "a": e["amount"],
                "y": e["year_to_date"],
                "c": e["cumulative"],
                "names": names,
            }
            if len(others) > 3:
                text += _t("等%(n)d个项目") % {"n": len(others)}
            return text + "。"
        if kind == FlagKind.PERCENT_DOWN:
            return _t("形象进度%(n)s%%，低于此前报送的%(p)s%%。") % {
                "n": e["percent"],
                "p": e["previous_percent"],
            }
        if kind == FlagKind.TEXT_FROZEN:
            amounts = "、".join(p["amount"] for p in e["periods"])
            return _t("形象进度“%(text)s”连续%(n)d期未变化，而各期完成投资%(amounts)s万元。") % {
                "text": e["text"][:60],
                "n": len(e["periods"]),
                "amounts": amounts,
            }
        if kind == FlagKind.OVER_TOTAL:
            return _t("累计完成投资%(c)s万元，超过项目总投资%(t)s万元。") % {
                "c": e["cumulative"],
                "t": e["total"],
            }
        if kind == FlagKind.PHOTO_REUSED:
            matches = e.get("matches", [])
            first = matches[0] if matches else {}
            text = _t("照片与“%(name)s”%(period)s报送的照片相同或几乎相同（相差%(d)d位）") % {
                "name": first.get("project_name", ""),
                "period": month_label(first.get("year", self.year), first.get("month", self.month)),
                "d": first.get("distance", 0),
            }
            if len(matches) > 1:
                text += _t("，另有%(n)d张相似照片") % {"n": len(matches) - 1}
            return text + "。"
        if kind == FlagKind.PHOTO_DATE:
            taken = parse_datetime(e["taken_at"])
            return _t("照片拍摄于%(t)s，不在本期（%(s)s至%(e)s）内。") % {
                "t": f"{timezone.localtime(taken):%Y-%m-%d}" if taken else e["taken_at"],
                "s": e["start"],
                "e": e["end"],
            }
        if kind == FlagKind.PHOTO_PLACE:
            return _t("照片拍摄地点距项目位置%(d)s公里，超过%(m)s公里。") % {
                "d": e["distance_km"],
                "m": e["limit_km"],
            }
        return ""

    def dismiss(self, by: "User", reason: str) -> bool:
        """排除: the coordinator judges the flag a false alarm, saying why; False when someone else
        has already dealt with it (it is no longer 待核实)."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _t("排除疑点须填写理由。")})
        now = timezone.now()
        changed = Flag.objects.filter(pk=self.pk, state=FlagState.OPEN).update(
            state=FlagState.DISMISSED, dismissed_by=by, dismissed_at=now, dismiss_reason=reason[:300]
        )
        if changed:
            self.state, self.dismissed_by, self.dismissed_at = FlagState.DISMISSED, by, now
            self.dismiss_reason = reason[:300]
        return bool(changed)

    def reopen(self) -> bool:
        """恢复核实: a flag dismissed by mistake is 待核实 again; False when it was not dismissed."""
        changed = Flag.objects.filter(pk=self.pk, state=FlagState.DISMISSED).update(
            state=FlagState.OPEN, dismissed_by=None, dismissed_at=None, dismiss_reason=""
        )
        if changed:
            self.state, self.dismissed_by, self.dismissed_at, self.dismiss_reason = (
                FlagState.OPEN,
                None,
                None,
                "",
            )
        return bool(changed)


class PhotoFingerprint(models.Model):
    """照片指纹: a site photo's perceptual hash and the time and place its EXIF gives.

    Computed once per photo, the first time a scan meets it. The 64-bit hash is also kept as four
    16-bit bands, each indexed: two hashes at most 3 bits apart share at least one band whole
    (pigeonhole), so near copies are found by equality on the bands instead of by comparing every
    pair of photos.
    """

    photo = models.OneToOneField(
        "progress.ReportPhoto", on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    phash = models.CharField(max_length=16, blank=True)
    band0 = models.PositiveIntegerField(null=True, db_index=True)
    band1 = models.PositiveIntegerField(null=True, db_index=True)
    band2 = models.PositiveIntegerField(null=True, db_index=True)
    band3 = models.PositiveIntegerField(null=True, db_index=True)
    taken_at = models.DateTimeField(null=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True)
    # False when the stored file could not be read as an image: not retried on every scan.
    readable = models.BooleanField(default=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("照片指纹")
        verbose_name_plural = _("照片指纹")

    def __str__(self) -> str:
        return self.phash or "-"


def flag_digest(evidence: dict[str, Any], report_id: int | None, photo_id: int | None) -> str:
    """A fingerprint of what a flag says: its evidence (as JSON, keys sorted), report and photo.
    Equal findings give equal digests, so a rescan tells a changed flag from an unchanged one
    without reading its evidence back."""
    text = json.dumps(
        [evidence, report_id, photo_id], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def evidence_value(value: Any) -> Any:
    """A value as evidence keeps it: amounts with their two decimals, dates in ISO form."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
