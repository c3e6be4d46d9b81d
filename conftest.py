"""Shared test fixtures: the personas of STYLE.md in a small unit tree with two projects.

Tree:  区政府 ─┬─ 发展和改革局 (coordinator, leader, inspector, admin)
              ├─ 住房和城乡建设局 (department) ── 城投建设有限公司 (owner A)
              ├─ 城关街道 (town) ── 城关科技有限公司 (owner B)
              └─ 教育局 (outsider: a department with no projects)
project_a: responsible 住建局, owner A.  project_b: responsible 城关街道, owner B.
"""

import logging
import os
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.models import Category, IndustryField
from demo.defaults import load_all
from figures.models import FigureStale
from org.choices import Role, UnitKind
from org.models import Person, Unit, User
from projects.models import Project
from service.models import LeaderStale

PASSWORD = "Persona#2026"
# Commands the tests start in a subprocess run on this machine for development (keyprojects.settings).
os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")


@dataclass
class World:
    government: Unit
    drc: Unit
    housing: Unit
    town: Unit
    education: Unit
    owner_a_unit: Unit
    owner_b_unit: Unit
    coordinator: User
    leader: User
    inspector: User
    admin: User
    department: User
    town_user: User
    owner_a: User
    owner_b: User
    outsider: User
    project_a: Project
    project_b: Project


def make_user(username: str, role: str, unit: Unit | None, name: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, unit=unit, name=name)


def refuse_shared_ids(ids: list[str]) -> None:
    """Every test has an id of its own: pytest-xdist hands tests to its workers by id, and of tests
    sharing one it would run only the first."""
    shared = sorted(nodeid for nodeid, count in Counter(ids).items() if count > 1)
    if shared:
        raise pytest.UsageError("测试 ID 重复 / tests share an id: " + ", ".join(shared[:5]))


def pytest_configure(config: pytest.Config) -> None:
    """The task tests on Redis (TASKS_BACKEND=rq) empty Redis database 15 before each test: they run
    in one process, as .ci/run runs them."""
    if settings.TASKS_BACKEND == "rq" and config.getoption("numprocesses", default=None):
        raise pytest.UsageError("TASKS_BACKEND=rq 的测试共用 Redis 库 15，请不加 -n 运行 / run without -n")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A worker's collection is checked by the controller, which reports the refusal.
    if not hasattr(config, "workerinput"):
        refuse_shared_ids([item.nodeid for item in items])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    refuse_shared_ids(ids)


def after_flush(**kwargs: object) -> None:
    """A transactional test (the browser's, the concurrent saves') ends by emptying the database, and
    so does the page-growth test between its districts; Django then sends post_migrate, as after any
    flush (a migration sends it with its plan, and loads the defaults itself). SQLite's flush empties
    the tables one by one, and the figures' and the leader cells' triggers mark years stale as plan entries and projects go
    from under them: those marks go too (the approval cells are rebuilt by approvals' own receiver).
    The migrations' dictionaries and defaults are loaded again, so that the tests after it, in
    whatever order, find the database as the migrations left it."""
    if "plan" in kwargs:
        return
    FigureStale.objects.all().delete()
    LeaderStale.objects.all().delete()
    load_all()


post_migrate.connect(after_flush, sender=apps.get_app_config("catalog"), dispatch_uid="after_flush")


@pytest.fixture(autouse=True)
def site_language() -> None:
    """Each test starts in the site's language: a request in English leaves it active in the thread
    that served it, here the test's own."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Full-strength PBKDF2 costs about 0.2 s per persona; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run at once in the test's thread; the database queue is for real workers.
    With TASKS_BACKEND=rq (.ci/run runs the task tests once more so) they go through Redis at
    REDIS_URL and an RQ worker in the test's process (tests.tasks.BurstRQBackend)."""
    if settings.TASKS_BACKEND == "rq":
        from tests.tasks import empty_queues

        settings.TASKS = {"default": {"BACKEND": "tests.tasks.BurstRQBackend", "QUEUES": ["default"]}}
        empty_queues()
        return
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db: None) -> World:
    gov = Unit.objects.create(name="示范区人民政府", kind=UnitKind.GOVERNMENT)
    drc = Unit.objects.create(name="区发展和改革局", kind=UnitKind.DEPARTMENT, parent=gov)
    housing = Unit.objects.create(name="区住房和城乡建设局", kind=UnitKind.DEPARTMENT, parent=gov)
    town = Unit.objects.create(name="城关街道办事处", kind=UnitKind.TOWN, parent=gov)
    education = Unit.objects.create(name="区教育局", kind=UnitKind.DEPARTMENT, parent=gov)
    owner_a_unit = Unit.objects.create(name="示范区城投建设有限公司", kind=UnitKind.OWNER, parent=housing)
    owner_b_unit = Unit.objects.create(name="城关科技有限公司", kind=UnitKind.OWNER, parent=town)
    category = Category.objects.get(code="infrastructure")
    industry = IndustryField.objects.get(code="municipal")
    project_a = Project.objects.create(
        name="滨河路改造工程",
        category=category,
        industry=industry,
        total_investment=Decimal("12000.00"),
        responsible_unit=housing,
        owner_unit=owner_a_unit,
        town=town,
        build_years="2025-2027",
        status="construction",
    )
    project_b = Project.objects.create(
        name="城关智能制造产业园",
        category=Category.objects.get(code="industry"),
        total_investment=Decimal("56000.00"),
        responsible_unit=town,
        owner_unit=owner_b_unit,
        town=town,
        build_years="2026-2028",
        status="preliminary",
    )
    return World(
        government=gov,
        drc=drc,
        housing=housing,
        town=town,
        education=education,
        owner_a_unit=owner_a_unit,
        owner_b_unit=owner_b_unit,
        coordinator=make_user("coordinator", Role.COORDINATOR, drc, "周协调"),
        leader=make_user("leader", Role.LEADER, gov, "李领导"),
        inspector=make_user("inspector", Role.INSPECTOR, drc, "杜督查"),
        admin=make_user("admin", Role.ADMIN, drc, "韩管理"),
        department=make_user("department", Role.UNIT, housing, "江住建"),
        town_user=make_user("town", Role.UNIT, town, "陈街道"),
        owner_a=make_user("owner_a", Role.OWNER, owner_a_unit, "王业主"),
        owner_b=make_user("owner_b", Role.OWNER, owner_b_unit, "赵业主"),
        outsider=make_user("outsider", Role.UNIT, education, "吴教育"),
        project_a=project_a,
        project_b=project_b,
    )


@pytest.fixture
def client_for(db: None):
    """A test client logged in as a persona: client_for(world.owner_a); each call a separate client."""

    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def persona_password() -> str:
    return PASSWORD


def linked_person(user: User) -> Person:
    """The people-directory entry of an account (首席服务员, 分包领导 are people, linked to it)."""
    person, _created = Person.objects.get_or_create(
        user=user, defaults={"name": user.name or user.username, "unit": user.unit, "phone": user.phone}
    )
    return person


@pytest.fixture
def person_for(db: None):
    return linked_person


LOGIN = "login"


@pytest.fixture
def answer_to(world, client_for, client, caplog):
    """What a persona is answered, as a persona matrix states it: answer_to("department", "GET", url).

    A visitor sent to the login page is "login"; a 403 is the refusal it gives, or 403 when it gives
    none: the API's detail, or the message of a page's PermissionDenied, read from the django.request
    log since the 403 page does not show it. Anything else is the status. Persona "anonymous" is a
    visitor who has not signed in.
    """
    caplog.set_level(logging.WARNING, logger="django.request")

    def answer(persona: str, method: str, url: str, data: dict | None = None) -> int | str:
        caller = client if persona == "anonymous" else client_for(getattr(world, persona))
        caplog.clear()
        if method == "GET":
            response = caller.get(url)
        elif url.startswith("/api/"):
            response = getattr(caller, method.lower())(url, data or {}, content_type="application/json")
        else:
            response = caller.post(url, data or {})
        if response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next="):
            return LOGIN
        if response.status_code != 403:
            return response.status_code
        if url.startswith("/api/"):
            return str(response.json()["detail"]) or 403
        refused = [r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1] is not None]
        return str(refused[-1]) if refused and str(refused[-1]) else 403

    return answer
