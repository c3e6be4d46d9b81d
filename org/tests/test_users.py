"""用户管理: listing, creating with an initial password, editing, resetting passwords."""

from django.urls import reverse

from audit.models import OperationLog
from org.choices import Role
from org.models import User

STRONG = "Chuzhi#2026x"


def new_user_data(world, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": "liu_new",
        "name": "刘新",
        "unit": world.owner_a_unit.pk,
        "role": Role.OWNER,
        "phone": "13812345678",
        "is_active": "on",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return data


def test_user_list_searches_username_name_and_unit(world, client_for) -> None:
    client = client_for(world.admin)
    url = reverse("org:user_list")
    assert [u.username for u in client.get(url, {"q": "王业"}).context["page"]] == ["owner_a"]
    assert [u.username for u in client.get(url, {"q": "owner_b"}).context["page"]] == ["owner_b"]
    assert [u.username for u in client.get(url, {"q": "城关科技"}).context["page"]] == ["owner_b"]


def test_user_list_filters_by_role_unit_subtree_and_state(world, client_for) -> None:
    world.outsider.is_active = False
    world.outsider.save()
    client = client_for(world.admin)
    url = reverse("org:user_list")
    assert {u.username for u in client.get(url, {"role": Role.OWNER}).context["page"]} == {
        "owner_a",
        "owner_b",
    }
    in_housing = {u.username for u in client.get(url, {"unit": world.housing.pk}).context["page"]}
    assert in_housing == {"department", "owner_a"}
    assert [u.username for u in client.get(url, {"active": "no"}).context["page"]] == ["outsider"]


def test_user_list_pages_and_tolerates_bad_parameters(world, client_for, settings) -> None:
    settings.LIST_PAGE_SIZE = 4
    client = client_for(world.admin)
    url = reverse("org:user_list")
    page = client.get(url, {"page": 3}).context["page"]
    assert page.paginator.num_pages == 3 and len(page) == 1
    assert (
        client.get(url, {"page": "x", "role": "emperor", "unit": "abc", "active": "maybe"}).status_code == 200
    )


def test_user_list_says_when_nothing_matches(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("org:user_list"), {"q": "没有这个人"})
    assert "暂无数据" in response.content.decode()


def test_created_user_must_change_the_initial_password(world, client) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("org:user_create"), new_user_data(world))
    assert response.status_code == 302
    user = User.objects.get(username="liu_new")
    assert user.must_change_password
    assert user.check_password(STRONG)
    log = OperationLog.objects.get(action=OperationLog.Action.CREATE, object_type="用户")
    assert log.changes["角色"] == ["", "项目单位"]
    assert not any("密码" in label and "修改" not in label for label in log.changes)

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "liu_new", "password": STRONG}, REMOTE_ADDR="10.0.0.8")
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "请先修改密码" in page

    response = client.post(
        reverse("password_change"),
        {"old_password": STRONG, "new_password1": "Xin#Mima2027", "new_password2": "Xin#Mima2027"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.password_changed_at is not None
    # The session survives the change of password.
    assert client.get(reverse("projects:list")).status_code == 200


def test_weak_initial_passwords_are_refused(world, client_for) -> None:
    client = client_for(world.admin)
    for weak in ("abcdefgh", "abcd1234"):
        response = client.post(
            reverse("org:user_create"), new_user_data(world, password1=weak, password2=weak)
        )
        assert response.status_code == 200
        assert (
            "密码须包含大写字母、小写字母、数字、符号中的至少3类。"
            in response.context["form"].errors["password2"]
        )
    assert not User.objects.filter(username="liu_new").exists()


def test_user_form_reports_bad_fields_in_chinese_and_saves_nothing(world, client_for) -> None:
    response = client_for(world.admin).post(
        reverse("org:user_create"),
        new_user_data(world, username="owner_a", name="", phone="12345", role="emperor", password2="other"),
    )
    errors = response.context["form"].errors
    assert {"username", "name", "phone", "role", "password2"} <= set(errors)
    assert "电话号码格式不正确" in errors["phone"][0]
    assert errors["name"] == ["该字段是必填项。"]
    assert "is-invalid" in response.content.decode()
    assert User.objects.count() == 9


def test_admin_edits_a_user(world, client_for) -> None:
    data = {"name": "王业主", "unit": world.owner_b_unit.pk, "role": Role.OWNER, "phone": "0375-7654321"}
    response = client_for(world.admin).post(reverse("org:user_edit", args=[world.owner_a.pk]), data)
    assert response.status_code == 302
    world.owner_a.refresh_from_db()
    assert world.owner_a.unit == world.owner_b_unit
    assert not world.owner_a.is_active
    log = OperationLog.objects.get(action=OperationLog.Action.UPDATE)
    assert log.changes == {
        "所属单位": ["示范区城投建设有限公司", "城关科技有限公司"],
        "手机号": ["", "0375-7654321"],
        "有效": ["是", "否"],
    }


def test_admin_cannot_disable_or_demote_themself(world, client_for) -> None:
    data = {"name": "韩管理", "unit": world.drc.pk, "role": Role.COORDINATOR, "phone": ""}
    response = client_for(world.admin).post(reverse("org:user_edit", args=[world.admin.pk]), data)
    errors = response.context["form"].errors
    assert errors["is_active"] == ["不能停用自己的账号。"]
    assert errors["role"] == ["不能取消自己的系统管理员角色。"]
    world.admin.refresh_from_db()
    assert world.admin.role == Role.ADMIN and world.admin.is_active


def test_password_reset_requires_a_change_at_next_login(world, client_for, persona_password) -> None:
    url = reverse("org:user_reset_password", args=[world.owner_a.pk])
    client = client_for(world.admin)
    weak = client.post(url, {"new_password1": "abcd1234", "new_password2": "abcd1234"})
    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    world.owner_a.refresh_from_db()
    assert world.owner_a.check_password(persona_password)

    assert client.post(url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    world.owner_a.refresh_from_db()
    assert world.owner_a.check_password(STRONG)
    assert world.owner_a.must_change_password
    log = OperationLog.objects.get(note="重置密码")
    assert log.changes == {"首次登录须修改密码": ["否", "是"]}


def test_roles_page_lists_six_roles_with_user_counts(world, client_for) -> None:
    response = client_for(world.admin).get(reverse("org:role_list"))
    roles = {row["value"]: row for row in response.context["roles"]}
    assert len(roles) == 6
    assert roles[Role.OWNER]["user_count"] == 2
    assert roles[Role.UNIT]["user_count"] == 3
    page = response.content.decode()
    assert f"{reverse('org:user_list')}?role=owner" in page
    assert "本单位及下级单位负责的项目" in page
