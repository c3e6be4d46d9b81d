"""Who may open each 通报简报 page: the persona matrix.

考核通报 is hidden from 项目单位 with all its pages. 重点办 (and 系统管理员) draft, edit and publish;
the others read what is published, and a draft is a 404 to them, as if it did not exist.
"""

import pytest

from bulletins.models import Bulletin

pytestmark = pytest.mark.django_db
LOGIN = "login"
ROLE = "您的角色不能打开此页面。"
ISSUERS = "只有重点办可以起草和印发通报简报。"

PERSONAS = ("coordinator", "admin", "leader", "inspector", "department", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/bulletins/"):                          (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/bulletins/?kind=brief&year=2026"):     (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("POST", "/bulletins/new/"):                     (302, 302, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
    ("GET", "/bulletins/new/"):                      (405, 405, 405, 405, 405, 405, ROLE, LOGIN),
    ("GET", "/bulletins/{published}/"):              (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/bulletins/{draft}/"):                  (200, 200, 404, 404, 404, 404, ROLE, LOGIN),
    ("GET", "/bulletins/{published}/file.docx"):     (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/bulletins/{draft}/file.docx"):         (200, 200, 404, 404, 404, 404, ROLE, LOGIN),
    ("GET", "/bulletins/{draft}/edit/"):             (200, 200, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
    ("POST", "/bulletins/{draft}/edit/"):            (302, 302, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
    ("GET", "/bulletins/{published}/edit/"):         (302, 302, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
    ("POST", "/bulletins/{draft}/redraft/"):         (302, 302, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
    ("POST", "/bulletins/{draft}/publish/"):         (302, 302, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
    ("POST", "/bulletins/{published}/publish/"):     (404, 404, ISSUERS, ISSUERS, ISSUERS, ISSUERS, ROLE, LOGIN),
}  # fmt: skip
SENT = {
    "/bulletins/new/": {"kind": "brief", "year": 2026, "month": 3, "level": "local"},
    "/bulletins/{draft}/edit/": {"title": "2026年1-3月全区重点项目推进情况", "issue_date": "2026-04-10"},
}
SECTIONS = [{"heading": "一、总体情况", "level": 1, "paragraphs": ["全区重点项目有序推进。"]}]


@pytest.fixture
def bulletins(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fields = {"kind": "monthly", "year": 2026, "month": 3, "issuer": "示范区重点项目建设领导小组办公室"}
    draft = Bulletin.objects.create(title="三月通报（草稿）", sections=SECTIONS, **fields)
    published = Bulletin.objects.create(
        title="二月通报", sections=SECTIONS, state=Bulletin.State.PUBLISHED, **fields
    )
    return {"draft": draft.pk, "published": published.pk}


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(bulletins, answer_to, persona, method, url, expected):
    data = SENT.get(url)
    assert answer_to(persona, method, url.format(**bulletins), data) == expected


@pytest.mark.parametrize("persona", ["coordinator", "admin"])
def test_the_offices_posts_in_the_matrix_take_effect(bulletins, answer_to, persona):
    for method, url in [(m, u) for m, u in MATRIX if m == "POST"]:
        answer_to(persona, method, url.format(**bulletins), SENT.get(url))
    assert sorted(Bulletin.objects.values_list("kind", "state")) == [
        ("brief", Bulletin.State.DRAFT),
        ("monthly", Bulletin.State.PUBLISHED),
        ("monthly", Bulletin.State.PUBLISHED),
    ]


@pytest.mark.parametrize("persona", ["leader", "inspector", "department", "owner_a", "anonymous"])
def test_a_refused_persona_drafts_edits_and_publishes_nothing(bulletins, answer_to, persona):
    for method, url in [(m, u) for m, u in MATRIX if m == "POST"]:
        answer_to(persona, method, url.format(**bulletins), SENT.get(url))
    assert sorted(Bulletin.objects.values_list("title", "state")) == [
        ("三月通报（草稿）", Bulletin.State.DRAFT),
        ("二月通报", Bulletin.State.PUBLISHED),
    ]
