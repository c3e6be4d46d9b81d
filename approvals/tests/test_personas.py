"""Who may open each 审批效能 page and API endpoint: the persona matrix.

Every signed-in role opens them (the figures and the list follow the data scope, see
test_approval_efficiency); a visitor is sent to sign in, and the API only reads.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import ProcedureType
from projects.models import Procedure

pytestmark = pytest.mark.django_db
LOGIN = "login"

PERSONAS = ("coordinator", "leader", "department", "town_user", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/approvals/"):                      (200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/approvals/?export=xlsx"):          (200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/approvals/overdue/"):              (200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/approvals/overdue/?export=xlsx"):  (200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/api/approvals/efficiency/"):       (200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/approvals/overdue/"):          (200, 200, 200, 200, 200, 200, 401),
    ("POST", "/api/approvals/overdue/"):         (405, 405, 405, 405, 405, 405, 401),
}  # fmt: skip


@pytest.fixture
def overdue(world):
    """An 环评 of each project in progress for 90 days, past its 30-day limit."""
    eia = ProcedureType.objects.get(code="eia")
    long_ago = timezone.localdate() - timedelta(days=90)
    for project in (world.project_a, world.project_b):
        Procedure.objects.create(project=project, type=eia, status="in_progress", submitted_on=long_ago)


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(overdue, answer_to, persona, method, url, expected):
    assert answer_to(persona, method, url) == expected
