"""Who may open each 项目清单 page: everyone signed in reads the lists (each seeing only the projects
of their data scope); only 重点办 (and administrators) create, change and delete them."""

import pytest

from portfolios.models import ListItem, ProjectList

pytestmark = pytest.mark.django_db
LOGIN = "login"
EDITORS = "只有统筹协调（重点办）可以维护项目清单。"

PERSONAS = (
    "coordinator",
    "admin",
    "leader",
    "inspector",
    "department",
    "town_user",
    "owner_a",
    "outsider",
    "anonymous",
)


@pytest.fixture
def lists(world):
    key = ProjectList.objects.create(name="关键项目清单", kind="key")
    ListItem.objects.create(project_list=key, project=world.project_a, note="市领导挂钩")
    item_b = ListItem.objects.create(project_list=key, project=world.project_b, note="企业服务")
    return key, item_b


def matrix(key, item_b):
    """Each URL and what every persona gets (in PERSONAS' order)."""
    k, i = key.pk, item_b.pk
    read = (200, 200, 200, 200, 200, 200, 200, 200, LOGIN)
    edit = (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN)
    post = (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN)
    # project_b is 城关街道's: the department, owner_a and the outsider do not see it, so its line is a 404.
    item_edit = (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN)
    return {
        ("GET", "/portfolios/"): read,
        ("GET", f"/portfolios/{k}/"): read,
        ("GET", f"/portfolios/{k}/?export=xlsx"): read,
        ("GET", "/portfolios/new/"): edit,
        ("POST", "/portfolios/new/"): post,
        ("GET", f"/portfolios/{k}/edit/"): edit,
        ("POST", f"/portfolios/{k}/edit/"): post,
        ("GET", f"/portfolios/{k}/add/"): edit,
        ("GET", f"/portfolios/{k}/items/{i}/edit/"): item_edit,
        ("POST", f"/portfolios/{k}/items/{i}/remove/"): post,
        ("POST", f"/portfolios/{k}/delete/"): post,
    }


def form_data(url):
    if url.endswith("/new/"):
        return {"name": "百个前期项目清单", "kind": "preliminary", "sort_order": 1}
    if url.endswith("/edit/") and "/items/" not in url:
        return {"name": "关键项目清单（调整）", "kind": "key", "sort_order": 0}
    return {}


def test_persona_matrix(world, answer_to, lists):
    key, item_b = lists
    for (method, url), row in matrix(key, item_b).items():
        for persona, expected in zip(PERSONAS, row, strict=True):
            # Each write starts from the same lists.
            ProjectList.objects.exclude(pk=key.pk).delete()
            if not ProjectList.objects.filter(pk=key.pk).exists():
                key, item_b = recreate(world, key, item_b)
            if not ListItem.objects.filter(pk=item_b.pk).exists():
                item_b = ListItem.objects.create(pk=item_b.pk, project_list=key, project=world.project_b)
            data = form_data(url) if method == "POST" else None
            assert answer_to(persona, method, url, data) == expected, (persona, method, url)


def recreate(world, key, item_b):
    key = ProjectList.objects.create(pk=key.pk, name="关键项目清单", kind="key")
    ListItem.objects.create(project_list=key, project=world.project_a, note="市领导挂钩")
    item_b = ListItem.objects.create(pk=item_b.pk, project_list=key, project=world.project_b, note="企业服务")
    return key, item_b


def test_each_persona_sees_only_the_projects_of_their_scope(world, client_for, lists):
    key, _item = lists
    seen = {
        persona: [
            i.project.name
            for i in client_for(getattr(world, persona)).get(f"/portfolios/{key.pk}/").context["page"]
        ]
        for persona in ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")
    }
    both = sorted([world.project_a.name, world.project_b.name])
    assert sorted(seen["coordinator"]) == both and sorted(seen["leader"]) == both
    assert seen["department"] == [world.project_a.name] and seen["owner_a"] == [world.project_a.name]
    # 城关街道 is responsible for project_b only (project_a is the housing bureau's, though in the town).
    assert seen["town_user"] == [world.project_b.name] and seen["owner_b"] == [world.project_b.name]
    assert seen["outsider"] == []
    index = client_for(world.owner_a).get("/portfolios/").context["page"]
    assert [(row.name, row.project_count) for row in index] == [("关键项目清单", 1)]


def test_a_line_out_of_sight_is_a_404_even_for_the_coordinator_of_another_list(world, client_for, lists):
    key, item_b = lists
    other = ProjectList.objects.create(name="挂图作战任务清单", kind="war_map")
    # The line exists, but not on that list.
    assert (
        client_for(world.coordinator).get(f"/portfolios/{other.pk}/items/{item_b.pk}/edit/").status_code
        == 404
    )
    assert client_for(world.coordinator).get("/portfolios/999999/").status_code == 404


@pytest.mark.parametrize(
    "persona", ["leader", "inspector", "department", "town_user", "owner_a", "anonymous"]
)
def test_a_refused_write_changes_nothing(world, answer_to, lists, persona):
    key, item_b = lists
    before = list(ListItem.objects.values_list("project_list_id", "project_id", "note"))
    answer_to(persona, "POST", f"/portfolios/{key.pk}/add/", {"projects": [world.project_a.pk], "note": "x"})
    answer_to(persona, "POST", f"/portfolios/{key.pk}/items/{item_b.pk}/remove/")
    answer_to(persona, "POST", f"/portfolios/{key.pk}/delete/")
    assert list(ListItem.objects.values_list("project_list_id", "project_id", "note")) == before
    assert ProjectList.objects.filter(pk=key.pk, name="关键项目清单").exists()
