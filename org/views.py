from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, ProtectedError, Q, RestrictedError, Subquery
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.decorators import admin_required, directory_required
from lib.listing import ListPage
from lib.params import MAX_ID, query_int
from lib.pickers import options
from lib.requests import AuthenticatedHttpRequest
from org import lockout, tokens
from org.choices import Role, UnitKind
from org.filtersets import UserFilterSet
from org.forms import (
    OwnPasswordChangeForm,
    PasswordResetByAdminForm,
    PersonForm,
    UnitForm,
    UserCreateForm,
    UserEditForm,
)
from org.models import Person, Unit, User

Action = OperationLog.Action

# What a user's record shows in the operation log; never the password hash.
USER_LOG_FIELDS = ["username", "name", "unit", "role", "phone", "is_active", "must_change_password"]

# DOMAIN §1: what each role sees and does.
ROLE_SCOPES: dict[str, tuple[Any, Any]] = {
    Role.COORDINATOR: (
        _("全部项目"),
        _("年度计划、月报审核、预警、排名、通报、督办通知、调度会"),
    ),
    Role.LEADER: (
        _("全部项目（只读）"),
        _("领导驾驶舱、大屏、通报，对问题批示"),
    ),
    Role.UNIT: (
        _("本单位及下级单位负责的项目"),
        _("审核所属项目月报，办理交办问题，回复督办通知"),
    ),
    Role.OWNER: (
        _("本单位的项目"),
        _("填报月报、照片、手续，反映问题"),
    ),
    Role.INSPECTOR: (
        _("全部项目（只读）及督查记录"),
        _("现场督查，下发督办通知"),
    ),
    Role.ADMIN: (
        _("系统配置"),
        _("管理用户、单位、数据字典和预警阈值，查看日志"),
    ),
}


@login_required
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """修改密码; the forced change of an initial password ends here too."""
    user: User = request.user
    form = OwnPasswordChangeForm(user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = form.save(commit=False)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save()
        # Changing the password rotates the session hash; keep this session signed in.
        update_session_auth_hash(request, user)
        record(request, Action.UPDATE, user, note=_t("修改密码"))
        messages.success(request, _t("密码已修改。"))
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def person_options(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The active people whose name, post or unit holds `?q=`, for a person picker (lib.pickers):
    to those who fill in forms that name people, the editors of projects."""
    user = request.user
    if not (user.edits_everything or user.edits_own):
        raise PermissionDenied(_t("只有可以修改项目的账号可以查找人员。"))
    people = Person.objects.active().select_related("unit").order_by("name_key", "name", "pk")
    return options(request, people, ["name", "post", "unit__name"], label=lambda person: person.label)


@login_required
def unit_options(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The active units whose names hold `?q=`, for a unit picker (lib.pickers): of the kinds
    `?kind=` names (every kind when none), and with `?mine=1` only those the user may see."""
    units = Unit.objects.filter(is_active=True).order_by("path")
    kinds = [kind for kind in request.GET.getlist("kind") if kind in UnitKind.values]
    if kinds:
        units = units.filter(kind__in=kinds)
    if request.GET.get("mine") == "1":
        units = units.visible_to(request.user)
    return options(request, units, ["name"])


# Above this many units the unit tree folds the project owners away, each unit showing its own on
# demand, this many at a time; a search shows this many matches at most.
UNITS_LISTED_UP_TO = 200
OWNER_ROWS = 100
MATCHES_SHOWN = 100


@admin_required
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """单位管理: the unit tree, its branches folding; a search keeps the units found and those above them."""
    parent = query_int(request.GET, "owners_of", 0, 1, MAX_ID)
    if parent:
        return owner_rows(request, parent)
    query = " ".join(request.GET.get("q", "").split())[:100]
    owners = Unit.objects.filter(kind=UnitKind.OWNER)
    # A province's thousands of project owners: the tree lists the units above them, each with a
    # link that shows its owners, and an owner is also found by its name.
    fold_owners = not query and Unit.objects.count() > UNITS_LISTED_UP_TO
    units = Unit.objects.exclude(kind=UnitKind.OWNER) if fold_owners else Unit.objects.all()
    rows = units.with_counts().tree(matching=query, limit=MATCHES_SHOWN)
    if fold_owners:
        held = dict(
            owners.order_by().values("parent_id").annotate(n=Count("pk")).values_list("parent_id", "n")
        )
        for unit in rows:
            unit.owners_folded = held.get(unit.pk, 0)
            unit.has_children = unit.has_children or bool(unit.owners_folded)
    found = Unit.objects.matching(query).count() if query else 0
    return render(
        request,
        "org/unit_list.html",
        {"units": rows, "q": query, "match_count": found, "matches_shown": min(found, MATCHES_SHOWN)},
    )


def owner_rows(request: AuthenticatedHttpRequest, parent_pk: int) -> HttpResponse:
    """The project owners under one unit of the folded tree, OWNER_ROWS from `?from=`: rows for the
    tree to put in place of the link that asked for them (htmx), or a page of their own."""
    parent = get_object_or_404(Unit, pk=parent_pk)
    start = query_int(request.GET, "from", 0, 0, MAX_ID) or 0
    owners = Unit.objects.filter(parent=parent, kind=UnitKind.OWNER)
    total = owners.count()
    rows = list(
        owners.with_counts().order_by("sort_order", "name_key", "name", "id")[start : start + OWNER_ROWS]
    )
    for unit in rows:
        unit.has_children = unit.is_match = False
    context = {
        "parent": parent,
        "units": rows,
        "remaining": max(total - start - len(rows), 0),
        "next": start + len(rows),
    }
    if request.htmx:
        return render(request, "org/includes/unit_owner_rows.html", context)
    return render(request, "org/unit_owners.html", context)


@admin_required
def unit_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    # "添加下级" links here with ?parent=<id>; anything else is ignored.
    parent = request.GET.get("parent", "")
    initial = {"parent": int(parent)} if parent.isdigit() else {}
    form = UnitForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        unit = form.save()
        record(request, Action.CREATE, unit, changes=diff({}, snapshot(unit)))
        messages.success(request, _t("已新增单位“%(name)s”。") % {"name": unit.name})
        return redirect("org:unit_list")
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@admin_required
def unit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    before = snapshot(unit)
    form = UnitForm(request.POST if request.method == "POST" else None, instance=unit)
    if form.is_bound and form.is_valid():
        unit = form.save()
        record(request, Action.UPDATE, unit, changes=diff(before, snapshot(unit)))
        messages.success(request, _t("已保存单位“%(name)s”。") % {"name": unit.name})
        return redirect("org:unit_list")
    context = {
        "form": form,
        "unit": unit,
        "aliases": unit.aliases.all(),
        "alias_kind": "unit",
        "alias_target": unit.pk,
    }
    return render(request, "org/unit_form.html", context)


@admin_required
@require_POST
def unit_toggle_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """停用/启用: a unit in use is switched off rather than deleted."""
    unit = get_object_or_404(Unit, pk=pk)
    before = snapshot(unit)
    unit.is_active = not unit.is_active
    unit.save(update_fields=["is_active"])
    record(request, Action.STATUS, unit, changes=diff(before, snapshot(unit)))
    if unit.is_active:
        messages.success(request, _t("已启用单位“%(name)s”。") % {"name": unit.name})
    else:
        messages.success(request, _t("已停用单位“%(name)s”。") % {"name": unit.name})
    return redirect("org:unit_list")


@admin_required
@require_POST
def unit_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    before = snapshot(unit)
    try:
        unit.delete()
    except (ProtectedError, RestrictedError):
        messages.error(
            request,
            _t("单位“%(name)s”已有下级单位、用户或项目，不能删除；不再使用时请停用。") % {"name": unit.name},
        )
        return redirect("org:unit_edit", pk=pk)
    unit.pk = pk
    record(request, Action.DELETE, unit, changes=diff(before, dict.fromkeys(before, "")))
    messages.success(request, _t("已删除单位“%(name)s”。") % {"name": unit.name})
    return redirect("org:unit_list")


USER_SORTS = {
    "username": "username",
    "name": "name",
    "unit": "unit__name",
    "role": "role",
    "last_login": "last_login",
}


@admin_required
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    users = User.objects.select_related("unit").annotate(is_locked=lockout.is_locked_expression())
    return ListPage(request, users, UserFilterSet, sorts=USER_SORTS).render(
        "org/user_list.html", "org/includes/user_table.html"
    )


@admin_required
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = form.save()
        record(request, Action.CREATE, user, changes=diff({}, snapshot(user, USER_LOG_FIELDS)))
        messages.success(
            request,
            _t("已新增用户“%(name)s”，首次登录须修改初始密码。") % {"name": user.get_full_name()},
        )
        return redirect("org:user_list")
    return render(request, "org/user_form.html", {"form": form, "account": None})


@admin_required
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    before = snapshot(account, USER_LOG_FIELDS)
    form = UserEditForm(
        request.POST if request.method == "POST" else None, instance=account, editor=request.user
    )
    if form.is_bound and form.is_valid():
        account = form.save()
        record(request, Action.UPDATE, account, changes=diff(before, snapshot(account, USER_LOG_FIELDS)))
        messages.success(request, _t("已保存用户“%(name)s”。") % {"name": account.get_full_name()})
        return redirect("org:user_list")
    ctx = {
        "form": form,
        "account": account,
        "is_locked": lockout.is_locked(account.username),
        "token": token_info(account),
    }
    return render(request, "org/user_form.html", ctx)


@admin_required
def user_reset_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    before = snapshot(account, USER_LOG_FIELDS)
    form = PasswordResetByAdminForm(account, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        form.save()
        changes = diff(before, snapshot(account, USER_LOG_FIELDS))
        record(request, Action.UPDATE, account, changes=changes, note=_t("重置密码"))
        messages.success(
            request,
            _t("已重置“%(name)s”的密码，下次登录须修改。") % {"name": account.get_full_name()},
        )
        return redirect("org:user_list")
    return render(request, "org/user_reset_password.html", {"form": form, "account": account})


@admin_required
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """解除锁定: forget the failed logins that locked the account out."""
    account = get_object_or_404(User, pk=pk)
    lockout.unlock(account.username)
    record(request, Action.OTHER, account, note=_t("解除登录锁定"))
    messages.success(request, _t("已解除“%(name)s”的登录锁定。") % {"name": account.get_full_name()})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("org:user_list")


@admin_required
def role_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    counts = dict(User.objects.order_by().values_list("role").annotate(n=Count("pk")))
    roles = [
        {
            "value": value,
            "label": label,
            "sees": ROLE_SCOPES[value][0],
            "does": ROLE_SCOPES[value][1],
            "user_count": counts.get(value, 0),
        }
        for value, label in Role.choices
    ]
    return render(request, "org/role_list.html", {"roles": roles})


PEOPLE_PAGE_SIZE = 50
PEOPLE_SORTS = {"name": "name", "unit": "unit__name", "post": "post", "projects": "project_count"}


@directory_required
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """人员名录: the people projects name, with their unit, post, phone and linked account."""
    people = Person.objects.select_related("unit", "user").annotate(
        project_count=projects_naming("served_projects") + projects_naming("led_projects")
    )
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(
            Q(name__icontains=query)
            | Q(phone__icontains=query)
            | Q(post__icontains=query)
            | Q(unit__name__icontains=query)
        )
    unit = str(query_int(request.GET, "unit", 0, 1, MAX_ID) or "")
    if unit:
        people = people.filter(unit_id=int(unit))
    if request.GET.get("unlinked") == "1":
        people = people.filter(user=None)
    in_order = people.order_by("name_key", "name", "id")
    # The government, its departments and towns; a project owner (thousands in a province) is
    # found by typing its name, and stays offered once chosen.
    units = Unit.objects.exclude(kind=UnitKind.OWNER)
    if unit:
        units = units | Unit.objects.filter(pk=int(unit))
    return ListPage(request, in_order, sorts=PEOPLE_SORTS, per_page=PEOPLE_PAGE_SIZE).render(
        "org/person_list.html",
        "org/includes/person_table.html",
        {
            "q": query,
            "unit": unit,
            "units": units.order_by("path"),
            "unlinked": request.GET.get("unlinked") == "1",
        },
    )


def projects_naming(relation: str) -> Coalesce:
    """How many projects name the person through `relation` (首席服务员 or 分包领导): a count per
    person shown, by the relation's index, rather than a join of every person with every project
    grouped before the page is cut."""
    reverse = Person._meta.get_field(relation)
    assert isinstance(reverse, ForeignObjectRel)  # served_projects and led_projects are reverse relations
    column = reverse.field.name
    projects = reverse.field.model._default_manager.filter(**{column: OuterRef("pk")})
    counted = projects.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@directory_required
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        person = form.save()
        record(request, Action.CREATE, person, changes=diff({}, snapshot(person)))
        messages.success(request, _t("已新增人员“%(name)s”。") % {"name": person.name})
        return redirect("org:person_list")
    return render(request, "org/person_form.html", {"form": form, "person": None})


@directory_required
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    before = snapshot(person)
    form = PersonForm(request.POST if request.method == "POST" else None, instance=person)
    if form.is_bound and form.is_valid():
        person = form.save()
        record(request, Action.UPDATE, person, changes=diff(before, snapshot(person)))
        messages.success(request, _t("已保存人员“%(name)s”。") % {"name": person.name})
        return redirect("org:person_list")
    context = {
        "form": form,
        "person": person,
        "aliases": person.aliases.all(),
        "alias_kind": "person",
        "alias_target": person.pk,
        "projects": person.served_projects.all()[:20],
        "led": person.led_projects.all()[:20],
    }
    return render(request, "org/person_form.html", context)


def token_info(user: User) -> dict[str, Any] | None:
    """The account's API token as a page shows it: never the whole key."""
    token = Token.objects.filter(user=user).first()
    if token is None:
        return None
    return {
        "key": f"{token.key[:6]}…{token.key[-4:]}",
        "created": token.created,
        "last_used": tokens.last_used(token),
        "expires": tokens.expires_at(token),
    }


@login_required
def token_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """API令牌: one's own token, when it was last used and when it expires, and a way to revoke it."""
    return render(
        request,
        "org/tokens.html",
        {
            "token": token_info(request.user),
            "account": request.user,
            "idle_days": settings.API_TOKEN_IDLE_DAYS,
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """Revoke an account's token: one's own, or any account's for the administrator."""
    if user_id != request.user.pk and not request.user.is_admin:
        raise PermissionDenied(_("只能撤销自己的令牌；撤销他人的令牌需系统管理员。"))
    account = get_object_or_404(User, pk=user_id)
    deleted, _rows = Token.objects.filter(user=account).delete()
    if deleted:
        record(request, Action.DELETE, account, note=_t("吊销API令牌"))
        messages.success(request, _t("已吊销API令牌，使用它的程序须重新获取令牌。"))
    if user_id == request.user.pk:
        return redirect("tokens")
    return redirect("org:user_edit", pk=user_id)
