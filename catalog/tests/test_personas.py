"""Who may open each 数据字典 page and API endpoint: the persona matrix.

Only 系统管理员 keeps the dictionaries; every signed-in role reads them through the API, which
forms and clients need. The pages refuse before looking, so an unknown dictionary is a 404 only
to the administrator.
"""

import pytest

from audit.models import OperationLog
from catalog.models import IndustryField

pytestmark = pytest.mark.django_db
LOGIN = "login"
ROLE = "您的角色不能打开此页面。"
ADMINS = "只有系统管理员可以修改。"
ADMIN_PAGE = "只有系统管理员可以进行此操作。"

PERSONAS = ("admin", "coordinator", "leader", "inspector", "department", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/admin/dictionaries/"):                                (200, ROLE, ROLE, ROLE, ROLE, ROLE, LOGIN),
    ("GET", "/admin/dictionaries/industries/"):                     (200, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("GET", "/admin/dictionaries/procedure-types/"):                (200, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("GET", "/admin/dictionaries/colours/"):                        (404, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("GET", "/admin/dictionaries/industries/new/"):                 (200, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("POST", "/admin/dictionaries/industries/new/"):                (302, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("GET", "/admin/dictionaries/industries/{spare}/"):             (200, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("POST", "/admin/dictionaries/industries/{spare}/"):            (302, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("POST", "/admin/dictionaries/industries/{spare}/toggle-active/"): (302, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("POST", "/admin/dictionaries/industries/{spare}/delete/"):     (302, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, ADMIN_PAGE, LOGIN),
    ("GET", "/api/industries/"):                                    (200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/categories/"):                                    (200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/procedure-types/"):                               (200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/funding-sources/"):                               (200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/industries/{spare}/"):                            (200, 200, 200, 200, 200, 200, 401),
    ("POST", "/api/industries/"):                                   (201, ADMINS, ADMINS, ADMINS, ADMINS, ADMINS, 401),
    ("PATCH", "/api/industries/{spare}/"):                          (200, ADMINS, ADMINS, ADMINS, ADMINS, ADMINS, 401),
    ("DELETE", "/api/industries/{spare}/"):                         (204, ADMINS, ADMINS, ADMINS, ADMINS, ADMINS, 401),
}  # fmt: skip
SENT = {
    "/admin/dictionaries/industries/new/": {
        "code": "low_altitude",
        "name": "低空经济",
        "sort_order": 30,
        "is_active": "on",
    },
    "/admin/dictionaries/industries/{spare}/": {
        "name": "林业（含林下经济）",
        "sort_order": 31,
        "is_active": "on",
    },
    "/api/industries/": {"code": "low_altitude", "name": "低空经济", "sort_order": 30},
    "/api/industries/{spare}/": {"name": "林业（含林下经济）"},
}


@pytest.fixture
def spare(world):
    """An industry no record uses, so that deleting it is allowed."""
    return {"spare": IndustryField.objects.create(code="forestry", name="林业", sort_order=29).pk}


def industries() -> list[tuple[str, str, bool]]:
    return sorted(IndustryField.objects.values_list("code", "name", "is_active"))


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(spare, answer_to, persona, method, url, expected):
    data = SENT.get(url) if method in ("POST", "PATCH") else None
    assert answer_to(persona, method, url.format(**spare), data) == expected


def test_the_administrators_posts_in_the_matrix_take_effect(spare, answer_to):
    before = industries()
    for method, url in [(m, u) for m, u in MATRIX if m == "POST" and not u.startswith("/api/")]:
        answer_to("admin", method, url.format(**spare), SENT.get(url))
    after = industries()
    assert set(after) - set(before) == {("low_altitude", "低空经济", True)}
    assert set(before) - set(after) == {("forestry", "林业", True)}
    assert OperationLog.objects.count() == 4


@pytest.mark.parametrize("persona", ["coordinator", "leader", "department", "owner_a", "anonymous"])
def test_a_refused_persona_changes_no_dictionary(spare, answer_to, persona):
    before = industries()
    for method, url in [(m, u) for m, u in MATRIX if m != "GET"]:
        answer_to(persona, method, url.format(**spare), SENT.get(url))
    assert industries() == before
    assert not OperationLog.objects.exists()
