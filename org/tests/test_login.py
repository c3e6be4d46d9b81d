"""Login, logout, lockout after repeated failures, idle timeout; each leaves a row in the login log."""

import time

from django.urls import reverse

from audit.models import LoginLog, OperationLog
from org import lockout
from org.middleware import SESSION_LAST_SEEN

ADDRESS = "10.20.30.40"


def log_in(client, username: str, password: str, address: str = ADDRESS):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT="pytest-browser",
    )


def test_login_page_is_a_card_without_the_menu(db, client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert "账号登录" in page
    assert "card" in page
    assert "navbar-vertical" not in page


def test_login_and_logout_are_logged_with_the_address(world, client, persona_password) -> None:
    response = log_in(client, "owner_a", persona_password)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="pytest-browser")
    rows = list(LoginLog.objects.order_by("id").values_list("username", "event", "ip_address", "user_agent"))
    assert rows == [
        ("owner_a", LoginLog.Event.LOGIN, ADDRESS, "pytest-browser"),
        ("owner_a", LoginLog.Event.LOGOUT, ADDRESS, "pytest-browser"),
    ]
    assert LoginLog.objects.filter(user=world.owner_a).count() == 2


def test_failed_login_shows_a_chinese_message_and_is_logged(world, client) -> None:
    response = log_in(client, "owner_a", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    failure = LoginLog.objects.get()
    assert (failure.event, failure.ip_address, failure.user) == (
        LoginLog.Event.FAILED,
        ADDRESS,
        world.owner_a,
    )


def test_logout_needs_post(world, client_for) -> None:
    assert client_for(world.owner_a).get(reverse("logout")).status_code == 405


def test_five_failures_lock_the_account_until_the_admin_unlocks_it(world, client, persona_password) -> None:
    for _ in range(4):
        assert log_in(client, "owner_b", "wrong").status_code == 200
    locked = log_in(client, "owner_b", "wrong")
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    assert lockout.is_locked("owner_b")
    # Even the right password is refused while locked.
    assert log_in(client, "owner_b", persona_password).status_code == 429
    assert LoginLog.objects.filter(
        event=LoginLog.Event.LOCKED, username="owner_b", ip_address=ADDRESS
    ).exists()

    client.force_login(world.admin)
    users = client.get(reverse("org:user_list"), {"q": "owner_b"}).context["page"]
    assert [u.is_locked for u in users] == [True]
    assert "已锁定" in client.get(reverse("org:user_edit", args=[world.owner_b.pk])).content.decode()
    response = client.post(reverse("org:user_unlock", args=[world.owner_b.pk]), follow=True)
    assert "已解除" in response.content.decode()
    assert not lockout.is_locked("owner_b")
    assert OperationLog.objects.filter(note="解除登录锁定", object_id=str(world.owner_b.pk)).exists()
    client.post(reverse("logout"))

    assert log_in(client, "owner_b", persona_password).status_code == 302


def test_lockout_is_per_account_not_for_everyone(world, client, persona_password) -> None:
    for _ in range(5):
        log_in(client, "owner_b", "wrong")
    assert log_in(client, "owner_a", persona_password).status_code == 302


def test_idle_session_is_logged_out(world, client_for, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    client = client_for(world.coordinator)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "长时间未操作" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_recent_activity_keeps_the_session(world, client_for, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    client = client_for(world.coordinator)
    client.get(reverse("home"))
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_password_change_rejects_weak_passwords_in_chinese(world, client_for, persona_password) -> None:
    client = client_for(world.owner_a)
    for weak in ("abcdefgh", "abcd1234"):
        response = client.post(
            reverse("password_change"),
            {"old_password": persona_password, "new_password1": weak, "new_password2": weak},
        )
        assert (
            "密码须包含大写字母、小写字母、数字、符号中的至少3类。"
            in response.context["form"].errors["new_password2"]
        )
    wrong_old = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Xin#Mima2027", "new_password2": "Xin#Mima2027"},
    )
    assert "old_password" in wrong_old.context["form"].errors
    world.owner_a.refresh_from_db()
    assert world.owner_a.check_password(persona_password)
    assert world.owner_a.password_changed_at is None


def test_password_change_keeps_the_user_signed_in(world, client_for, persona_password) -> None:
    client = client_for(world.owner_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": persona_password, "new_password1": "Xin#Mima2027", "new_password2": "Xin#Mima2027"},
        follow=True,
    )
    assert "密码已修改。" in response.content.decode()
    assert response.wsgi_request.user == world.owner_a


def test_the_current_password_again_and_a_short_one_are_refused_in_chinese(
    world, client_for, persona_password
) -> None:
    client = client_for(world.owner_a)
    same = client.post(
        reverse("password_change"),
        {
            "old_password": persona_password,
            "new_password1": persona_password,
            "new_password2": persona_password,
        },
    )
    assert same.context["form"].errors["new_password1"] == ["新密码不能与当前密码相同。"]
    short = client.post(
        reverse("password_change"),
        {"old_password": persona_password, "new_password1": "Ab#1", "new_password2": "Ab#1"},
    )
    assert "密码至少8位。" in short.context["form"].errors["new_password2"]
    common = client.post(
        reverse("password_change"),
        {"old_password": persona_password, "new_password1": "Password1", "new_password2": "Password1"},
    )
    assert "该密码过于常见，容易被猜中。" in common.context["form"].errors["new_password2"]
    world.owner_a.refresh_from_db()
    assert world.owner_a.check_password(persona_password)
