from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lib.stamps import Stamped
from progress.photos import delete_files_on_commit, photo_file_name
from reviews.choices import Half
from reviews.querysets import Ranking, RoundQuerySet, SheetQuerySet, StopQuerySet, round_ranking

if TYPE_CHECKING:
    from org.models import Person

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def half_of(day: date) -> str:
    """The half of the year `day` falls in."""
    return Half.FIRST if day.month <= 6 else Half.SECOND


class Round(Stamped):
    """观摩点评活动: a half-yearly round of visits to key projects, scored by a panel of reviewers."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS, db_index=True)
    half = models.CharField(_("半年"), max_length=10, choices=Half.choices)
    title = models.CharField(_("活动名称"), max_length=100, help_text=_("如“2026年上半年重点项目观摩点评”"))
    held_on = models.DateField(_("观摩日期"))
    reviewers: "models.ManyToManyField[Person, Any]" = models.ManyToManyField(
        "org.Person", verbose_name=_("点评人员"), related_name="review_rounds", blank=True
    )
    trim_extremes = models.BooleanField(
        _("去掉一个最高分和一个最低分"),
        default=False,
        help_text=_("评分表不少于3份时，每个项目去掉一个最高分和一个最低分后取平均。"),
    )
    note = models.TextField(_("说明"), blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩点评活动")
        verbose_name_plural = _("观摩点评活动")
        ordering = ["-year", "-half", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "half"],
                name="review_round_one_per_half",
                violation_error_message=_("该半年已有观摩点评活动。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.held_on
            and self.year
            and self.half
            and (self.held_on.year != self.year or half_of(self.held_on) != self.half)
        ):
            raise ValidationError({"held_on": _t("观摩日期须在所选年度的所选半年内。")})

    def ranking(self) -> Ranking:
        """排名 of the round's projects and towns (reviews.querysets.round_ranking)."""
        return round_ranking(self)

    @property
    def scored(self) -> bool:
        """Whether any sheet has been entered: the criteria are then fixed."""
        return Sheet.objects.filter(stop__round=self).exists()


class Criterion(models.Model):
    """评分项: what the reviewers score each project on, and its full marks (分值)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=40)
    max_points = models.DecimalField(
        _("分值"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(100))],
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "name"],
                name="review_criterion_unique_name",
                violation_error_message=_("评分项名称重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"


class Stop(models.Model):
    """观摩项目: a project visited on a round, shown by its town (观摩乡镇/街道), with the panel's remarks."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="stops", verbose_name=_("观摩活动")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="review_stops", verbose_name=_("项目")
    )
    town = models.ForeignKey(
        "org.Unit",
        verbose_name=_("观摩乡镇/街道"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_stops",
    )
    sort_order = models.PositiveSmallIntegerField(_("观摩顺序"), default=0)
    comment = models.TextField(_("点评意见"), blank=True)

    objects = StopQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩项目")
        verbose_name_plural = _("观摩项目")
        ordering = ["round", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "project"],
                name="review_stop_unique_project",
                violation_error_message=_("该项目已在本次观摩中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:stop", args=[self.pk])


class Sheet(models.Model):
    """评分表: one reviewer's scores for one visited project, a score for every criterion."""

    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="sheets")
    reviewer = models.ForeignKey(
        "org.Person", verbose_name=_("点评人员"), on_delete=models.PROTECT, related_name="review_sheets"
    )
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["stop", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stop", "reviewer"],
                name="review_sheet_one_per_reviewer",
                violation_error_message=_("该点评人员已为此项目评分。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.stop} · {self.reviewer}"


class Score(models.Model):
    """评分: the points a sheet gives on one criterion, from 0 to its 分值."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    points = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="review_score_one_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name} {self.points}"

    def clean(self) -> None:
        if self.points is not None and self.criterion_id and self.points > self.criterion.max_points:
            raise ValidationError({"points": _t("得分不能超过该项分值。")})


def photo_path(instance: "StopPhoto", filename: str) -> str:
    stamp = timezone.now()
    folder = f"reviews/{instance.stop.project_id}/{stamp:%Y%m}"
    return f"{folder}/{stamp:%d%H%M%S%f}-{photo_file_name(filename)}"


class StopPhoto(models.Model):
    """观摩照片: a photo of a visited project taken on the round, with its EXIF time and place."""

    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("观摩照片")
        verbose_name_plural = _("观摩照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


@receiver(post_delete, sender=StopPhoto, dispatch_uid="reviews.photo_files")
def remove_photo_files(sender: type[StopPhoto], instance: StopPhoto, **kwargs: object) -> None:
    delete_files_on_commit(instance.image, instance.thumbnail)
