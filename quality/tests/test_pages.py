"""数据质量看板: only the coordinating office and the leaders see it; the office dismisses with a reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import OperationLog
from org.menu import menu_for
from quality.choices import FlagKind, FlagState
from quality.models import Flag
from quality.scan import scan_month

from .conftest import set_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(march):
    """project_a's March is far above its usual months, and its 形象进度 % went down."""
    set_report(march.a[2], amount=Decimal("2000"), progress_percent=Decimal("15.0"))
    scan_month(2026, 3)
    return march


def test_the_board_lists_open_flags_for_the_coordinator_and_the_leader(flagged, client_for):
    for user in (flagged.world.coordinator, flagged.world.leader):
        response = client_for(user).get(reverse("quality:board"))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('data-testid="flag-row"') == 2
        assert "本月投资异常偏高" in html and "形象进度倒退" in html


@pytest.mark.parametrize("persona", ["inspector", "department", "town_user", "owner_a", "outsider"])
def test_everyone_else_is_refused_the_board_and_its_pages(flagged, client_for, persona):
    client = client_for(getattr(flagged.world, persona))
    flag = Flag.objects.get(kind=FlagKind.SPIKE)
    assert client.get(reverse("quality:board")).status_code == 403
    assert client.get(reverse("quality:detail", args=[flag.pk])).status_code == 403
    response = client.post(reverse("quality:dismiss", args=[flag.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert Flag.objects.get(pk=flag.pk).state == FlagState.OPEN


def test_the_menu_shows_the_board_to_the_coordinator_and_the_leader_only(world):
    def names(user):
        return {page.url_name for _title, pages in menu_for(user) for page in pages}

    assert "quality:board" in names(world.coordinator)
    assert "quality:board" in names(world.leader)
    assert "quality:board" not in names(world.department)
    assert "quality:board" not in names(world.owner_a)


def test_filters_by_kind_and_state_and_the_counts_by_kind(flagged, client_for):
    client = client_for(flagged.world.coordinator)
    html = client.get(reverse("quality:board"), {"kind": FlagKind.SPIKE}).content.decode()
    assert html.count('data-testid="flag-row"') == 1
    html = client.get(reverse("quality:board"), {"state": FlagState.DISMISSED}).content.decode()
    assert 'data-testid="empty"' in html
    html = client.get(reverse("quality:board"), {"kind": "nonsense", "year": "99999"}).content.decode()
    assert 'data-testid="flag-summary"' in html


def test_the_table_alone_is_sent_to_htmx_and_the_export_is_a_workbook(flagged, client_for):
    client = client_for(flagged.world.coordinator)
    response = client.get(reverse("quality:board"), {"sort": "-period"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="flag-table"' in html
    export = client.get(reverse("quality:board"), {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert OperationLog.objects.filter(action=OperationLog.Action.EXPORT).exists()


def test_the_detail_shows_the_evidence(flagged, client_for):
    flag = Flag.objects.get(kind=FlagKind.SPIKE)
    html = (
        client_for(flagged.world.coordinator).get(reverse("quality:detail", args=[flag.pk])).content.decode()
    )
    assert "2000.00" in html and "修正Z分数" in html
    assert 'data-testid="dismiss-form"' in html
    leader_html = (
        client_for(flagged.world.leader).get(reverse("quality:detail", args=[flag.pk])).content.decode()
    )
    assert 'data-testid="dismiss-form"' not in leader_html


def test_the_coordinator_dismisses_with_a_reason_and_it_is_logged(flagged, client_for):
    flag = Flag.objects.get(kind=FlagKind.SPIKE)
    client = client_for(flagged.world.coordinator)
    url = reverse("quality:dismiss", args=[flag.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 302
    assert Flag.objects.get(pk=flag.pk).state == FlagState.OPEN
    client.post(url, {"reason": "年初集中采购设备，已核对发票。"})
    flag.refresh_from_db()
    assert flag.state == FlagState.DISMISSED
    assert flag.dismissed_by == flagged.world.coordinator and flag.dismissed_at is not None
    log = OperationLog.objects.get(action=OperationLog.Action.STATUS, object_id=str(flag.pk))
    assert log.project == flagged.world.project_a
    assert log.changes["排除理由"] == ["", "年初集中采购设备，已核对发票。"]
    scan_month(2026, 3)
    flag.refresh_from_db()
    assert flag.state == FlagState.DISMISSED
    html = client.get(reverse("quality:detail", args=[flag.pk])).content.decode()
    assert "年初集中采购设备" in html and 'data-testid="reopen"' in html


def test_the_leader_may_not_dismiss(flagged, client_for):
    flag = Flag.objects.get(kind=FlagKind.SPIKE)
    response = client_for(flagged.world.leader).post(
        reverse("quality:dismiss", args=[flag.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert Flag.objects.get(pk=flag.pk).state == FlagState.OPEN


def test_a_dismissed_flag_can_be_reopened_and_dismissing_twice_says_so(flagged, client_for):
    flag = Flag.objects.get(kind=FlagKind.SPIKE)
    client = client_for(flagged.world.coordinator)
    client.post(reverse("quality:dismiss", args=[flag.pk]), {"reason": "属实"})
    response = client.post(reverse("quality:dismiss", args=[flag.pk]), {"reason": "再次"}, follow=True)
    assert "已不是待核实状态" in response.content.decode()
    client.post(reverse("quality:reopen", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN and flag.dismiss_reason == ""


def test_a_missing_flag_is_a_404(flagged, client_for):
    assert (
        client_for(flagged.world.coordinator).get(reverse("quality:detail", args=[999999])).status_code == 404
    )
