import operator
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import reduce
from typing import Any, ClassVar, Self

from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.db import connection, models, transaction
from django.db.models import Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.sorting import PinyinKeyField
from lib.sql import Among
from lib.validators import validate_credit_code, validate_phone
from org.choices import (
    ROLES_EDITING_ALL,
    ROLES_EDITING_OWN,
    ROLES_SEEING_ALL,
    SUPERVISOR_ROLES,
    Role,
    UnitKind,
)

# Up to this many units, a subtree is named by its units' ids on PostgreSQL; a larger one by the
# subquery itself.
SUBTREE_LISTED = 5_000


def lists_subtrees() -> bool:
    """Whether in_subtree() names a subtree by its units' ids (PostgreSQL) or by a subquery (SQLite,
    whose planner combines both foreign keys' indexes for a subquery under an OR already, and
    chose worse plans for a long list of ids: a town's project list 42 → 76 ms at 100,000 projects)."""
    return connection.vendor == "postgresql"


# The subtrees read so far in a request that reads (subtrees_remembered()), by path: a page asks
# for the user's own a dozen times, and a town's holds its 1,900 owners at 100,000 projects.
_remembered: ContextVar[dict[str, list[int]] | None] = ContextVar("remembered_subtrees", default=None)


@contextmanager
def subtrees_remembered() -> Iterator[None]:
    """While it lasts, subtree() reads each path's ids once. Any unit saved or deleted meanwhile
    forgets them all (forget_subtrees()); a write to units that sends no signal (bulk_create,
    update(), SQL of its own) calls forget_subtrees() itself."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def forget_subtrees(**_kwargs: Any) -> None:
    """Forget the subtrees read under subtrees_remembered() (a unit was saved or deleted)."""
    remembered = _remembered.get()
    if remembered is not None:
        remembered.clear()


def subtree(path: str) -> "list[int] | models.QuerySet[Unit, Any]":
    """The ids of the unit at `path` and of every unit below it, for a condition `<unit>__in`.

    Named by the ids themselves, read first, where the database is PostgreSQL: it cannot use the
    foreign keys' indexes for a subquery under an OR (a unit's projects are those it is responsible
    for or owns), and would test every project against the subquery's result. Elsewhere, and for a
    subtree of more than SUBTREE_LISTED units, by the subquery over the unit tree."""
    units = Unit.objects.filter(path__startswith=path).order_by()
    if lists_subtrees():
        remembered = _remembered.get()
        if remembered is not None and path in remembered:
            return list(remembered[path])
        ids = list(units.values_list("pk", flat=True)[: SUBTREE_LISTED + 1])
        if len(ids) <= SUBTREE_LISTED:
            if remembered is not None:
                remembered[path] = list(ids)
            return ids
    return units.values("pk")


def in_subtree(field: str, path: str) -> Q:
    """Rows whose unit `field` (a foreign key to Unit, through relations as in a filter) is the unit
    at `path` or one below it (see subtree()).

    The condition names the units' ids, so that the database finds the rows through the foreign
    key's index; a condition on the joined units' paths would read every row of the table, a pass
    that grows with the province.
    """
    return among(field, subtree(path))


def in_unit_subtree(path: str, *fields: str) -> Q:
    """Rows whose unit in any of `fields` lies in the subtree at `path`, the subtree read once."""
    units = subtree(path)
    return reduce(operator.or_, (among(field, units) for field in fields))


def among(field: str, units: "list[int] | models.QuerySet[Unit, Any]") -> Q:
    """Rows whose `field` is one of `units`, as subtree() gives them: ids as one parameter
    (lib.sql.Among), a subquery as it is."""
    if isinstance(units, list):
        return Q(**{f"{field}__{Among.lookup_name}": frozenset(units)})
    return Q(**{f"{field}__in": units})


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        """A unit and every unit below it."""
        return self.filter(path__startswith=unit.path)

    def visible_to(self, user: "User | AnonymousUser") -> "UnitQuerySet":
        """Units a user may see: everything for roles that see all, else the user's subtree."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.unit is None:
            return self.none()
        return self.filter(path__startswith=user.unit.path)

    def filter_choices_for(self, user: "User | AnonymousUser") -> "UnitQuerySet":
        """The units a user may filter lists by (责任单位 choices): visible ones, owners left out."""
        return self.visible_to(user).exclude(kind=UnitKind.OWNER)

    def matching(self, text: str) -> "UnitQuerySet":
        """The units whose name or short name contains `text`."""
        return self.filter(Q(name__icontains=text) | Q(short_name__icontains=text))

    def tree(self, matching: str = "", limit: int | None = None) -> list["Unit"]:
        """The units in tree order, each after the unit above it, brothers by 排序 then by 拼音, each
        with `has_children`; with `matching`, only the units whose name or short name contains it
        (`is_match`; the first `limit` of them in tree order) and the units above them, so that every
        match is shown where it sits."""
        units = self
        hits: set[int] = set()
        if matching:
            found = self.matching(matching).order_by("path")
            paths = list(found.values_list("pk", "path")[:limit])
            hits = {pk for pk, _path in paths}
            above = {int(part) for _pk, path in paths for part in path.strip("/").split("/") if part}
            units = self.filter(pk__in=hits | above)
        rows = list(units.order_by("sort_order", "name_key", "name", "id"))
        shown = {unit.pk for unit in rows}
        children: dict[int | None, list[Unit]] = {}
        for unit in rows:
            parent = unit.parent_id if unit.parent_id in shown else None
            children.setdefault(parent, []).append(unit)
        ordered: list[Unit] = []
        stack = list(reversed(children.get(None, [])))
        while stack:
            unit = stack.pop()
            unit.has_children = unit.pk in children
            unit.is_match = unit.pk in hits
            ordered.append(unit)
            stack.extend(reversed(children.get(unit.pk, [])))
        return ordered

    def with_counts(self) -> "UnitQuerySet":
        """Each unit with its number of users and of projects it is responsible for or owns (the
        projects reached through their foreign keys to the unit): those it answers for, counted
        from the index alone, and those it owns answering to another unit. Counted as one OR, each
        project of a department was read from the table (a county's 27 units at 100,000 projects:
        114 ms on PostgreSQL)."""
        project = Unit._meta.get_field("responsible_projects").related_model
        assert not isinstance(project, str)  # a reverse relation holds its model class, never "self"

        def count_of(rows: models.QuerySet) -> Coalesce:
            counted = rows.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")
            return Coalesce(Subquery(counted), 0)

        return self.annotate(
            user_count=count_of(User.objects.filter(unit=OuterRef("pk"))),
            project_count=count_of(project._default_manager.filter(responsible_unit=OuterRef("pk")))
            + count_of(
                project._default_manager.filter(owner_unit=OuterRef("pk")).exclude(
                    responsible_unit=OuterRef("pk")
                )
            ),
        )


class Unit(models.Model):
    """单位: a node of the unit tree (区政府 → 部门 / 乡镇街道 → 项目单位)."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    name_key = PinyinKeyField(_("单位名称拼音"), source="name")
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/1/4/17/": a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    # Set on the units UnitQuerySet.tree() lists; owners_folded by the unit page, when it folds the
    # project owners away: how many the unit holds.
    has_children: bool
    is_match: bool
    owners_folded: int

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "name_key", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="unit_credit_code_unique",
                violation_error_message=_("该统一社会信用代码已被其他单位使用。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        with transaction.atomic():
            super().save(*args, **kwargs)
            parent_path = self.parent.path if self.parent is not None else "/"
            new_path = f"{parent_path}{self.pk}/"
            if new_path != old_path:
                Unit.objects.filter(pk=self.pk).update(path=new_path)
                if old_path:
                    # Move the whole subtree with it, in one statement.
                    Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                    )
                self.path = new_path

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.credit_code = (self.credit_code or "").strip().upper()
        moves_below_itself = self.parent_id == self.pk or (
            self.parent is not None and self.parent.path.startswith(self.path)
        )
        if self.parent_id and self.pk and moves_below_itself:
            raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})

    def ancestors(self) -> list["Unit"]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
        return [found[i] for i in ids if i in found]


class User(AbstractUser):
    """用户: a person in a unit with one role."""

    name = models.CharField(_("姓名"), max_length=40, blank=True)
    name_key = PinyinKeyField(_("姓名拼音"), source="name")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.OWNER)
    phone = models.CharField(_("手机号"), max_length=30, blank=True, validators=[validate_phone])
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in ROLES_SEEING_ALL

    @property
    def edits_everything(self) -> bool:
        return self.is_superuser or self.role in ROLES_EDITING_ALL

    @property
    def edits_own(self) -> bool:
        return self.role in ROLES_EDITING_OWN

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.is_superuser or self.role in ROLES_EDITING_ALL

    @property
    def is_supervisor(self) -> bool:
        """督查督办权: 督查 (inspector) and the coordinator's office issue notices and record inspections."""
        return bool(self.is_active and (self.is_superuser or self.role in SUPERVISOR_ROLES))


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> "PersonQuerySet":
        return self.filter(is_active=True)

    def named(self, name: str, phone: str = "", unit: "Unit | None" = None) -> "Person | None":
        """The person a form or a table means by a name (and phone): found, created, or None for a blank name.

        Same name in the same unit is the same person; a phone given fills one the directory lacks.
        """
        name = " ".join((name or "").split())
        if not name:
            return None
        unit_id = unit.pk if unit is not None else None
        person = self.filter(name=name, unit=unit).order_by("-is_active", "pk").first()
        if person is None and unit_id is not None:
            person = self.filter(name=name, unit=None).order_by("-is_active", "pk").first()
        if person is None:
            return self.create(name=name, phone=phone, unit_id=unit_id)
        if phone and person.phone != phone:
            person.phone = phone
            person.save(update_fields=["phone"])
        return person


class Person(models.Model):
    """人员: someone named on projects (首席服务员, 分包领导, 责任人, 联系人), with or without a login account."""

    name = models.CharField(_("姓名"), max_length=40)
    name_key = PinyinKeyField(_("姓名拼音"), source="name")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    post = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=30, blank=True, validators=[validate_phone])
    user = models.OneToOneField(
        User,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_active = models.BooleanField(_("在职"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_key", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """姓名（单位 职务）: what a picker shows, so that two people of one name can be told apart."""
        where = " ".join(
            part
            for part in (self.unit.short_name or self.unit.name if self.unit is not None else "", self.post)
            if part
        )
        return f"{self.name}（{where}）" if where else self.name


class TokenUse(models.Model):
    """API令牌的使用: when a token was last used; a token idle longer than API_TOKEN_IDLE_DAYS expires."""

    token = models.OneToOneField(
        "authtoken.Token", primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    last_used_at = models.DateTimeField(_("最近使用时间"), default=timezone.now)

    class Meta:
        verbose_name = _("API令牌使用记录")
        verbose_name_plural = _("API令牌使用记录")

    def __str__(self) -> str:
        return f"{self.token_id[:6]}… {self.last_used_at:%Y-%m-%d %H:%M}"
