"""A request that reads remembers each unit subtree it has read (org.models.subtree()), and forgets
them all as soon as a unit is saved or deleted; a request that writes, and code outside requests,
read them each time."""

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from org import models as org_models
from org.choices import UnitKind
from org.middleware import RememberSubtreesMiddleware
from org.models import Unit, subtree, subtrees_remembered


@pytest.fixture(autouse=True)
def listed(monkeypatch):
    """Subtrees named by their ids, as on PostgreSQL, whatever the database."""
    monkeypatch.setattr(org_models, "lists_subtrees", lambda: True)


def reads(path: str) -> tuple[list[int], int]:
    with CaptureQueriesContext(connection) as queries:
        ids = subtree(path)
    assert isinstance(ids, list)
    return sorted(ids), len(queries)


def test_outside_a_request_each_subtree_is_read_again(world):
    assert reads(world.housing.path) == (sorted([world.housing.pk, world.owner_a_unit.pk]), 1)
    assert reads(world.housing.path)[1] == 1


def test_while_remembered_a_subtree_is_read_once(world):
    with subtrees_remembered():
        first, queries = reads(world.housing.path)
        assert queries == 1
        assert reads(world.housing.path) == (first, 0)
        assert reads(world.town.path)[1] == 1
    assert reads(world.housing.path)[1] == 1


def test_a_unit_saved_or_deleted_meanwhile_is_seen(world):
    with subtrees_remembered():
        reads(world.housing.path)
        added = Unit.objects.create(name="示范区水务公司", kind=UnitKind.OWNER, parent=world.housing)
        ids, queries = reads(world.housing.path)
        assert added.pk in ids and queries == 1
        added.delete()
        ids, queries = reads(world.housing.path)
        assert added.pk not in ids and queries == 1


def test_the_ids_given_out_are_copies(world):
    with subtrees_remembered():
        ids = subtree(world.housing.path)
        assert isinstance(ids, list)
        ids.append(999_999)
        assert 999_999 not in reads(world.housing.path)[0]


@pytest.mark.parametrize(("method", "expected"), [("get", 1), ("head", 1), ("post", 2)])
def test_reading_requests_remember_and_writing_ones_do_not(world, method, expected):
    counted: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        with CaptureQueriesContext(connection) as queries:
            subtree(world.town.path)
            subtree(world.town.path)
        counted.append(len(queries))
        return HttpResponse()

    request = getattr(RequestFactory(), method)("/projects/")
    RememberSubtreesMiddleware(view)(request)
    assert counted == [expected]
    assert reads(world.town.path)[1] == 1
