"""The role–page table: the menu is built from it, and a page it keeps from a role is refused by URL too.

A page lists who may open it (everyone signed in, or a test on the user). Whole areas hidden from a
role (考核通报 for 项目单位) are refused with all their pages: details, exports, forms.
Data scope still applies inside every page (visible_to / editable_by).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from org.choices import Role

Test = Callable[..., bool]

# 信息公开: the public site, open to anyone without signing in. The session middleware's neighbours
# leave its pages alone (no session read or written, no cookie set), so that proxies may keep them.
# 大屏链接: the LED screen's page and data at /screen/<token>/, opened with a link's token, not a session.
PUBLIC_PATH_PREFIXES = ("/public/", "/screen/")


def is_public_path(path: str) -> bool:
    """Whether `path` (a request's path_info) is a page of the public site."""
    return path.startswith(PUBLIC_PATH_PREFIXES)


def everyone(user: object) -> bool:
    return True


def not_owner(user: object) -> bool:
    return getattr(user, "role", "") != Role.OWNER or getattr(user, "is_superuser", False)


def reporters(user: object) -> bool:
    """进度填报: those who fill reports, project owners and responsible units."""
    return getattr(user, "role", "") in (Role.OWNER, Role.UNIT)


def editors(user: object) -> bool:
    """登记问题: those who change projects (the coordinator's office, responsible units, project owners)."""
    return bool(getattr(user, "edits_everything", False) or getattr(user, "edits_own", False))


def directory_keepers(user: object) -> bool:
    return bool(getattr(user, "is_admin", False) or getattr(user, "is_coordinator", False))


def administrators(user: object) -> bool:
    return bool(getattr(user, "is_admin", False))


def leaders(user: object) -> bool:
    """我分包的项目: the leaders (区领导/分包领导)."""
    return getattr(user, "role", "") == Role.LEADER


def coordinators(user: object) -> bool:
    """统筹协调（重点办） and administrators."""
    return bool(getattr(user, "is_coordinator", False))


def quality_readers(user: object) -> bool:
    """数据质量: the coordinating office (and administrators) and the leaders."""
    return bool(getattr(user, "is_coordinator", False) or getattr(user, "role", "") == Role.LEADER)


@dataclass(frozen=True)
class Page:
    url_name: str
    label: Promise
    icon: str
    allowed: Test = everyone
    new_tab: bool = False


MENU: list[tuple[Promise | None, list[Page]]] = [
    (
        None,
        [
            Page("home", _("首页"), "home"),
            Page("figures:map", _("一张图"), "map-2"),
            Page("figures:bigscreen", _("大屏"), "device-desktop-analytics", new_tab=True),
            Page("kiosk:links", _("大屏链接"), "link", coordinators),
            Page("service:mine", _("我分包的项目"), "user-star", leaders),
            Page("disclosure:index", _("信息公开"), "world", new_tab=True),
        ],
    ),
    (
        _("项目与计划"),
        [
            Page("projects:list", _("项目库"), "list-details"),
            Page("plans:list", _("年度计划"), "calendar-stats"),
            Page("pipeline:list", _("项目谋划"), "bulb"),
            Page("starts:list", _("集中开工"), "flag-3"),
            Page("portfolios:list", _("项目清单"), "list-check"),
            Page("evaluation:list", _("项目后评价"), "clipboard-data"),
            Page("evaluation:cases", _("典型案例"), "award"),
        ],
    ),
    (
        _("进度报送"),
        [
            Page("progress:mine", _("进度填报"), "pencil", reporters),
            Page("progress:board", _("报送看板"), "clipboard-check", not_owner),
            Page("exchange:index", _("表格导入导出"), "table-import"),
        ],
    ),
    (
        _("调度督办"),
        [
            Page("alerts:board", _("红黄灯预警"), "traffic-lights"),
            Page("service:leaders", _("分包领导"), "users", not_owner),
            Page("problems:list", _("问题台账"), "alert-triangle"),
            Page("problems:create", _("登记问题"), "circle-plus", editors),
            # 项目单位 carry out the matters decided for their projects: they see those meetings.
            Page("meetings:list", _("调度会议"), "users-group"),
            Page("supervision:notices", _("督办通知"), "bell-ringing"),
            Page("supervision:inspections", _("现场督导"), "eye-check"),
            Page("reviews:list", _("观摩点评"), "binoculars"),
            Page("quality:board", _("数据质量"), "shield-search", quality_readers),
            Page("milestones:gantt", _("挂图作战"), "timeline"),
        ],
    ),
    (
        _("要素保障"),
        [
            Page("elements:funding", _("资金保障"), "coin-yuan"),
            Page("financing:needs", _("政银企对接"), "building-bank"),
            Page("elements:board", _("用地等要素"), "stack-2"),
            Page("approvals:efficiency", _("审批效能"), "rubber-stamp"),
        ],
    ),
    (
        _("考核通报"),
        [
            Page("assessment:rankings", _("月度排名"), "trophy", not_owner),
            Page("assessment:scores", _("季度考核"), "scale", not_owner),
            Page("assessment:tables", _("表格报送"), "table-export", not_owner),
            Page("bulletins:list", _("通报简报"), "file-text", not_owner),
        ],
    ),
    (
        _("名录"),
        [
            Page("org:person_list", _("人员名录"), "address-book", directory_keepers),
            Page("exchange:aliases", _("别名"), "arrows-exchange", directory_keepers),
        ],
    ),
    (
        _("系统管理"),
        [
            Page("org:unit_list", _("单位管理"), "sitemap", administrators),
            Page("org:user_list", _("用户管理"), "users", administrators),
            Page("org:role_list", _("角色权限"), "shield-lock", administrators),
            Page("catalog:index", _("数据字典"), "book", administrators),
            Page("alerts:rules", _("预警规则"), "adjustments-alt", administrators),
            Page("notifications:deliveries", _("发送记录"), "send", administrators),
            Page("audit:login_log", _("登录日志"), "login", administrators),
            Page("audit:operation_log", _("操作日志"), "history", administrators),
        ],
    ),
]

# Areas whose every page follows one menu entry's rule.
AREAS: dict[str, Test] = {
    "assessment": not_owner,
    "bulletins": not_owner,
    "quality": quality_readers,
    "service": not_owner,
    "kiosk": coordinators,
}
PAGES: dict[str, Test] = {page.url_name: page.allowed for _section, pages in MENU for page in pages}


def may_open(user: object, view_name: str) -> bool:
    """Whether the role–page table lets `user` open the page named `view_name` ("app:name")."""
    test = PAGES.get(view_name) or AREAS.get(view_name.split(":", 1)[0])
    return test is None or test(user)


def menu_for(user: object) -> list[tuple[Promise | None, list[Page]]]:
    """The menu a user sees: each section with the pages the user may open, empty sections left out."""
    sections = []
    for title, pages in MENU:
        shown = [page for page in pages if page.allowed(user)]
        if shown:
            sections.append((title, shown))
    return sections
