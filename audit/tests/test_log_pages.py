"""登录日志 and 操作日志: newest first, searchable, paginated, exported as .xlsx."""

import io
import zipfile
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from audit.models import LoginLog, OperationLog


@pytest.fixture
def signed_in_admin(world, client_for):
    client = client_for(world.admin)
    # The administrator's own sign-in is not what these tests look at.
    LoginLog.objects.all().delete()
    return client


def sheet_rows(response) -> Sequence[Sequence[object]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


def add_login_logs(world) -> None:
    now = timezone.now()
    LoginLog.objects.create(
        user=world.owner_a,
        username="owner_a",
        event="login",
        ip_address="10.1.1.1",
        at=now - timedelta(days=10),
    )
    LoginLog.objects.create(
        user=world.owner_b, username="owner_b", event="failed", ip_address="10.2.2.2", at=now
    )
    LoginLog.objects.create(
        username="ghost", event="failed", ip_address="192.168.0.9", at=now - timedelta(days=1)
    )


def add_operation_logs(world) -> None:
    now = timezone.now()
    OperationLog.objects.create(
        user=world.coordinator,
        ip_address="10.9.9.9",
        action="update",
        object_type="项目",
        object_id=str(world.project_a.pk),
        object_repr=world.project_a.name,
        project=world.project_a,
        changes={"总投资（万元）": ["12000", "15000"]},
        at=now - timedelta(days=3),
    )
    OperationLog.objects.create(
        user=world.admin,
        ip_address="10.8.8.8",
        action="create",
        object_type="单位",
        object_repr='=HYPERLINK("http://evil")',
        changes={"单位名称": ["", "=1+1"]},
        at=now,
    )


def test_login_log_is_newest_first(world, signed_in_admin) -> None:
    add_login_logs(world)
    page = signed_in_admin.get(reverse("audit:login_log")).context["page"]
    assert [log.username for log in page] == ["owner_b", "ghost", "owner_a"]


def test_login_log_searches_user_name_address_event_and_dates(world, signed_in_admin) -> None:
    add_login_logs(world)
    client = signed_in_admin
    url = reverse("audit:login_log")

    def usernames(**params: str) -> list[str]:
        return [log.username for log in client.get(url, params).context["page"]]

    assert usernames(user="王业主") == ["owner_a"]
    assert usernames(user="gho") == ["ghost"]
    assert usernames(ip_address="192.168") == ["ghost"]
    assert usernames(event="failed") == ["owner_b", "ghost"]
    today = timezone.localdate()
    assert usernames(date_from=str(today - timedelta(days=2))) == ["owner_b", "ghost"]
    assert usernames(date_to=str(today - timedelta(days=5))) == ["owner_a"]
    assert usernames(date_from=str(today), date_to=str(today)) == ["owner_b"]


def test_bad_log_filters_show_a_message_instead_of_failing(world, signed_in_admin) -> None:
    add_login_logs(world)
    response = signed_in_admin.get(
        reverse("audit:login_log"), {"date_from": "2024-13-45", "event": "exploded", "page": "-1"}
    )
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert set(errors) == {"date_from", "event"}
    assert "is-invalid" in response.content.decode()


def test_login_log_pages(world, signed_in_admin, settings) -> None:
    settings.LIST_PAGE_SIZE = 2
    add_login_logs(world)
    response = signed_in_admin.get(reverse("audit:login_log"), {"page": 2})
    assert [log.username for log in response.context["page"]] == ["owner_a"]
    assert "第 3–3 条，共 3 条" in response.content.decode()


def test_empty_logs_say_so(world, signed_in_admin) -> None:
    client = signed_in_admin
    assert "暂无数据" in client.get(reverse("audit:login_log")).content.decode()
    assert "暂无数据" in client.get(reverse("audit:operation_log")).content.decode()


def test_login_log_export_has_the_filtered_rows(world, signed_in_admin) -> None:
    add_login_logs(world)
    response = signed_in_admin.get(reverse("audit:login_log"), {"event": "failed", "export": "xlsx"})
    rows = sheet_rows(response)
    assert rows[0][0] == "登录日志"
    assert rows[1] == ["时间", "用户名", "姓名", "事件", "IP地址", "浏览器"]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[2:]] == [
        ("owner_b", "赵业主", "登录失败", "10.2.2.2"),
        ("ghost", "", "登录失败", "192.168.0.9"),
    ]
    export = OperationLog.objects.get(action=OperationLog.Action.EXPORT)
    assert (export.object_type, export.user) == ("登录日志", world.admin)


def test_operation_log_shows_changes_as_before_and_after(world, signed_in_admin) -> None:
    add_operation_logs(world)
    page = signed_in_admin.get(reverse("audit:operation_log")).content.decode()
    assert "<del>12000</del> → <ins>15000</ins>" in page
    assert "<del>（空）</del> → <ins>=1+1</ins>" in page
    assert reverse("projects:detail", args=[world.project_a.pk]) in page


def test_operation_log_searches_user_object_action_and_address(world, signed_in_admin) -> None:
    add_operation_logs(world)
    client = signed_in_admin
    url = reverse("audit:operation_log")

    def objects(**params: str) -> list[str]:
        return [log.object_type for log in client.get(url, params).context["page"]]

    assert objects() == ["单位", "项目"]
    assert objects(user="周协调") == ["项目"]
    assert objects(user="admin") == ["单位"]
    assert objects(object="滨河路") == ["项目"]
    assert objects(action="create") == ["单位"]
    assert objects(ip_address="10.9.") == ["项目"]
    assert objects(date_to=str(timezone.localdate() - timedelta(days=1))) == ["项目"]


def test_operation_log_export_keeps_user_text_as_text(world, signed_in_admin) -> None:
    add_operation_logs(world)
    response = signed_in_admin.get(reverse("audit:operation_log"), {"export": "xlsx"})
    rows = sheet_rows(response)
    assert rows[1][:5] == ["时间", "姓名", "用户名", "IP地址", "操作"]
    newest, oldest = rows[2], rows[3]
    assert newest[6] == '=HYPERLINK("http://evil")'
    assert newest[7] == "单位名称：（空） → =1+1"
    assert oldest[1:8] == [
        "周协调",
        "coordinator",
        "10.9.9.9",
        "修改",
        "项目",
        "滨河路改造工程",
        "总投资（万元）：12000 → 15000",
    ]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_operation_log_export_follows_the_filters(world, signed_in_admin) -> None:
    add_operation_logs(world)
    response = signed_in_admin.get(reverse("audit:operation_log"), {"object": "滨河路", "export": "xlsx"})
    assert [row[6] for row in sheet_rows(response)[2:]] == ["滨河路改造工程"]
