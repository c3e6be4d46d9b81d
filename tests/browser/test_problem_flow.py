"""An owner raises a problem, the responsible unit escalates it, the coordinator's weekly meeting
decides a matter on it, finishing that matter asks to close (销号) the problem, and the coordinator
confirms it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from problems.models import Matter, Meeting, Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user, password) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_raise_escalate_decide_in_a_meeting_and_close(
    world, live_server, page, screenshots, persona_password
):
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()

    # The owner raises the problem from its project page.
    log_in(page, live_server, world.owner_a, persona_password)
    page.goto(f"{live_server.url}/projects/{world.project_a.pk}/")
    page.click("[data-testid=project-problems]")
    page.wait_for_selector("[data-testid=problem-table]")
    assert page.locator("[data-testid=empty]").is_visible()
    page.click("[data-testid=raise-problem]")
    page.select_option("select[name=category]", "land")
    page.fill("textarea[name=description]", "滨河路东段3亩用地指标未落实，影响路基施工")
    page.select_option("select[name=responsible_units]", [str(world.housing.pk)])
    page.fill("input[name=deadline]", deadline)
    page.screenshot(path=screenshots / "problem-01-raise.png", full_page=True)
    page.click("[data-testid=save-problem]")
    page.wait_for_selector("[data-testid=problem-description]")
    problem = Problem.objects.get()
    assert page.locator("[data-testid=status]").first.inner_text() == "待办"
    assert page.locator("[data-testid=problem-actions]").count() == 0

    # The responsible unit starts handling it and escalates it to the weekly meeting.
    log_in(page, live_server, world.department, persona_password)
    page.goto(f"{live_server.url}/problems/{problem.pk}/")
    page.click("[data-testid=move-start] button")
    page.wait_for_selector("[data-testid=move-escalate]")
    page.fill("[data-testid=move-escalate] textarea", "需区自然资源局调剂用地指标")
    page.click("[data-testid=move-escalate] button")
    page.wait_for_selector("text=已上报调度会。")
    assert page.locator("[data-testid=status]").first.inner_text() == "已上报"
    page.screenshot(path=screenshots / "problem-02-escalated.png", full_page=True)

    # The coordinator calls the meeting with the escalated problem on its agenda and decides a matter.
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/meetings/")
    assert page.locator("[data-testid=escalated-hint]").is_visible()
    page.click("[data-testid=new-meeting]")
    page.fill("input[name=title]", "第12次重点项目周调度会")
    page.fill("input[name=place]", "区政府三楼会议室")
    page.select_option("select[name=chair]", str(world.leader.pk))
    page.select_option("select[name=attendees]", [str(world.department.pk)])
    assert page.locator("select[name=agenda] option:checked").inner_text().startswith("滨河路改造工程")
    page.click("[data-testid=save-meeting]")
    page.wait_for_selector("[data-testid=agenda-table]")
    meeting = Meeting.objects.get()
    assert "滨河路东段3亩用地指标" in page.locator("[data-testid=agenda-table]").inner_text()
    page.fill("[data-testid=matter-form] textarea[name=content]", "区自然资源局牵头，10日内完成用地指标调剂")
    page.select_option("[data-testid=matter-form] select[name=problem]", str(problem.pk))
    page.select_option("[data-testid=matter-form] select[name=owner_unit]", str(world.housing.pk))
    page.fill("[data-testid=matter-form] input[name=deadline]", deadline)
    page.click("[data-testid=save-matter]")
    page.wait_for_selector("text=议定事项已保存。")
    assert "10日内完成用地指标调剂" in page.locator("[data-testid=matter-table]").inner_text()
    page.screenshot(path=screenshots / "problem-03-meeting.png", full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=minutes-docx]")
    assert download.value.suggested_filename.endswith(".docx")

    # The lead unit finishes the matter; the problem is closed through the meeting.
    log_in(page, live_server, world.department, persona_password)
    matter = Matter.objects.get()
    page.goto(f"{live_server.url}/meetings/matters/{matter.pk}/")
    page.fill("[data-testid=matter-complete] textarea", "用地指标已调剂到位，路基恢复施工")
    page.click("[data-testid=matter-complete] button")
    page.wait_for_selector("text=关联问题已随议定事项办结申请销号，待重点办确认。")
    page.screenshot(path=screenshots / "problem-04-matter-done.png", full_page=True)

    # The problem was escalated: its 销号 waits for the coordinator, who confirms it.
    page.goto(f"{live_server.url}/problems/{problem.pk}/")
    assert page.locator("[data-testid=status]").first.inner_text() == "待确认销号"
    assert "路基恢复施工" in page.locator("[data-testid=resolution-request]").inner_text()
    log_in(page, live_server, world.coordinator, persona_password)
    page.goto(f"{live_server.url}/problems/{problem.pk}/")
    page.fill("[data-testid=move-confirm] textarea", "经现场核实，用地指标已调剂到位")
    page.screenshot(path=screenshots / "problem-05-confirm.png", full_page=True)
    page.click("[data-testid=move-confirm] button")
    page.wait_for_selector("text=已确认销号。")
    assert page.locator("[data-testid=status]").first.inner_text() == "已解决"
    resolution = page.locator("[data-testid=resolution]").inner_text()
    assert "第12次重点项目周调度会" in resolution and "路基恢复施工" in resolution
    events = page.locator("[data-testid=problem-events]").inner_text()
    assert "上报调度会" in events and "确认销号" in events
    page.screenshot(path=screenshots / "problem-06-closed.png", full_page=True)

    problem.refresh_from_db()
    assert problem.settled_by == matter and meeting.matters.get() == matter
    page.goto(f"{live_server.url}/problems/board/")
    assert page.locator("[data-testid=closure-rate]").inner_text() == "100.0%"
    page.screenshot(path=screenshots / "problem-07-board.png", full_page=True)
    assert page.console_errors == []
