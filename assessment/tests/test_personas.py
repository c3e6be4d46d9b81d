"""Who may open each 考核 page: the persona matrix.

考核通报 is hidden from 项目单位 with all its pages; everyone else reads the rankings and the
scores (of the units in their scope); only 重点办 and 系统管理员 set the indicators.
"""

import pytest

from assessment.models import Indicator

pytestmark = pytest.mark.django_db
LOGIN = "login"
ROLE = "您的角色不能打开此页面。"
SETTERS = "只有管理员或重点办可以设置考核指标。"

PERSONAS = ("coordinator", "admin", "leader", "inspector", "department", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/assessment/rankings/"):                     (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/rankings/?by=town&export=xlsx"): (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/"):                              (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/?group=department&export=xlsx"): (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/indicators/"):                   (200, 200, SETTERS, SETTERS, SETTERS, SETTERS, ROLE, LOGIN),
    ("POST", "/assessment/indicators/"):                  (302, 302, SETTERS, SETTERS, SETTERS, SETTERS, ROLE, LOGIN),
}  # fmt: skip


def indicator_form() -> dict:
    """The indicators' formset as the page sends it, with the target of the first one raised."""
    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    data: dict[str, object] = {"form-TOTAL_FORMS": len(indicators), "form-INITIAL_FORMS": len(indicators)}
    for i, indicator in enumerate(indicators):
        data.update(
            {
                f"form-{i}-id": indicator.pk,
                f"form-{i}-name": indicator.name,
                f"form-{i}-weight": indicator.weight,
                f"form-{i}-target": "120" if i == 0 else indicator.target,
                f"form-{i}-sort_order": indicator.sort_order,
            }
        )
        if indicator.is_active:
            data[f"form-{i}-is_active"] = "on"
    return data


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(world, answer_to, persona, method, url, expected):
    data = indicator_form() if method == "POST" else None
    assert answer_to(persona, method, url, data) == expected


@pytest.mark.parametrize("persona", ["leader", "inspector", "department", "owner_a", "anonymous"])
def test_a_refused_indicator_change_is_not_saved(world, answer_to, persona):
    before = list(Indicator.objects.values_list("code", "weight", "target", "is_active"))
    answer_to(persona, "POST", "/assessment/indicators/", indicator_form())
    assert list(Indicator.objects.values_list("code", "weight", "target", "is_active")) == before
