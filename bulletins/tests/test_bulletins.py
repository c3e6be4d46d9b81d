"""Bulletins drafted from the figures: every number read back from the .docx equals the figure."""

import io
import re
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from bulletins.document import docx_to_pdf, soffice
from bulletins.drafting import chinese_numeral, draft, numbered
from bulletins.models import Bulletin
from figures.compute import compute
from figures.tests.test_figures import accepted, district  # noqa: F401
from lib.numbers import wan_to_yi
from plans.scope import Scope
from progress.rollup import refresh_projects

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "bulletins"


@pytest.fixture
def year_2017(district):  # noqa: F811
    for i, project in enumerate(district[:30]):
        accepted(project, 2017, 6, "4000")
        accepted(project, 2017, 12, "3966.57" if i == 0 else "3966.67")
    refresh_projects([p.pk for p in district])
    return district


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_every_number_in_the_monthly_notice_is_a_figure(year_2017, tmp_path):
    out = tmp_path / "notice.docx"
    call_command(
        "bulletin",
        "--kind",
        "monthly",
        "--year",
        "2017",
        "--month",
        "12",
        "--level",
        "local",
        "--out",
        str(out),
    )
    text = docx_text(out.read_bytes())
    figures = compute(2017, 12, Scope(level="local"))
    plan = figures["plan"]
    sentence = (
        f"截至12月底，全区重点建设项目共{plan['count']}个，总投资{wan_to_yi(plan['total_investment'])}亿元，"
        f"年度计划投资{wan_to_yi(plan['annual_plan'])}亿元，完成投资{wan_to_yi(plan['completed'])}亿元，"
        f"完成年度计划投资的{plan['completion_rate']}%，快于时间进度{plan['ahead_points']}个百分点。"
    )
    assert sentence in text
    assert "完成投资23.90亿元" in text and "112.5%" in text and "快于时间进度12.5个百分点" in text
    for row in figures["by_status"]:
        if row["count"]:
            assert f"{row['count']}个项目" in text and f"占全部项目的{row['share']}%" in text
    assert "15个项目已完工，占全部项目的34.9%" in text
    assert "2个项目暂停施工，占全部项目的4.6%" in text
    shares = [r["completed_share"] for r in figures["by_category"] if r["completed"] > 0]
    assert "分别占总体完成投资的" + "、".join(f"{s}%" for s in shares) in text
    # Every number in the overview paragraph is one of the figures.
    overview = next(p for p in text.splitlines() if p.startswith("截至12月底"))
    allowed = {str(plan["count"]), "12"} | {
        str(wan_to_yi(plan[k])) for k in ("total_investment", "annual_plan", "completed")
    }
    allowed |= {str(plan["completion_rate"]), str(plan["ahead_points"])}
    assert set(re.findall(r"\d+(?:\.\d+)?", overview)) <= allowed
    # The ranking table names the first and the last.
    assert "激励" in text and "鞭策" in text


def test_brief_is_numbered_within_the_year_and_published(year_2017, client_for, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.coordinator)
    for _ in range(2):
        client.post(
            reverse("bulletins:create"), {"kind": "brief", "year": 2017, "month": 12, "level": "local"}
        )
    first, second = Bulletin.objects.order_by("id")
    response = client.post(
        reverse("bulletins:edit", args=[first.pk]),
        {
            "title": "2017年重点项目推进情况",
            "issue_date": "2018-01-17",
            **{f"heading_{i}": p["heading"] for i, p in enumerate(first.sections)},
            **{f"body_{i}": "\n\n".join(p["paragraphs"]) for i, p in enumerate(first.sections)},
            "body_3": "请各单位对照目标，加快推进。",
        },
    )
    assert response.status_code == 302
    settings_soffice = soffice()
    Bulletin.objects.filter(pk=second.pk).update(issue_date=date(2018, 2, 20))
    client.post(reverse("bulletins:publish", args=[first.pk]))
    client.post(reverse("bulletins:publish", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.number_label == "2018 年第 1 期"
    text = docx_text(first.docx.read())
    assert "（2018 年第 1 期）" in text and "请各单位对照目标，加快推进。" in text
    if settings_soffice:
        assert first.pdf
    # Published documents can no longer be edited; others read them, but not drafts.
    assert client.get(reverse("bulletins:edit", args=[first.pk])).status_code == 302
    reader = client_for(world.department)
    assert reader.get(reverse("bulletins:detail", args=[first.pk])).status_code == 200
    Bulletin.objects.create(kind="monthly", year=2017, month=12, title="草稿", issuer="x")
    draft = Bulletin.objects.get(title="草稿")
    assert reader.get(reverse("bulletins:detail", args=[draft.pk])).status_code == 404
    assert (
        reader.post(reverse("bulletins:create"), {"kind": "brief", "year": 2017, "month": 12}).status_code
        == 403
    )


@pytest.mark.skipif(not soffice(), reason="LibreOffice 未安装（.ci/run 会安装 libreoffice-writer-nogui）")
def test_the_annual_report_converts_to_pdf_and_its_first_page_renders(year_2017, tmp_path):
    out = tmp_path / "annual.docx"
    call_command(
        "bulletin",
        "--kind",
        "annual",
        "--year",
        "2017",
        "--month",
        "12",
        "--level",
        "local",
        "--out",
        str(out),
    )
    pdf = docx_to_pdf(out.read_bytes())
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "annual-2017.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(ARTIFACTS / "annual-2017.pdf"),
                str(ARTIFACTS / "annual-2017-page"),
            ],
            check=True,
        )
        assert list(ARTIFACTS.glob("annual-2017-page*.png"))
    print(f"\n公文首页图片 / first page image: {ARTIFACTS}")


def test_bad_requests_are_refused_cleanly(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(
        reverse("bulletins:create"), {"kind": "weekly", "year": "abc", "month": 13}, follow=True
    )
    assert response.status_code == 200
    assert not Bulletin.objects.exists()
    assert client.get(reverse("bulletins:file", args=[999, "docx"])).status_code == 404


def test_yi_rounding_is_the_figures_rounding():
    assert wan_to_yi(Decimal("239000.00")) == Decimal("23.90")


def test_warnings_problems_and_meetings_in_the_notice_are_the_figures(year_2017, world, tmp_path):
    from datetime import date as day

    from alerts.models import Alert
    from problems.models import Problem

    project = year_2017[0]
    from django.utils import timezone as tz

    moment = tz.make_aware(datetime(2017, 5, 2, 9))
    Alert.objects.create(
        rule="start_overdue",
        project=project,
        colour="red",
        message="应开未开",
        opened_on=day(2017, 5, 2),
        opened_at=moment,
    )
    Problem.objects.create(project=project, category="funding", description="资金缺口", raised_at=moment)
    out = tmp_path / "notice.docx"
    call_command(
        "bulletin",
        "--kind",
        "monthly",
        "--year",
        "2017",
        "--month",
        "12",
        "--level",
        "local",
        "--out",
        str(out),
    )
    text = docx_text(out.read_bytes())
    figures = compute(2017, 12, Scope(level="local"))
    alerts, problems = figures["alerts"], figures["problems"]
    assert (
        f"累计预警项目{alerts['projects']}个、预警{alerts['raised']}条，已销号{alerts['closed']}条，销号率{alerts['closure_rate']}%"
        in text
    )
    assert f"累计梳理问题{problems['raised']}个，已解决{problems['solved']}个" in text
    assert "表5 红黄灯预警情况" in text and "应开未开" in text
    assert "表4 慢于时间进度的项目" in text


@pytest.mark.parametrize("kind", ["monthly", "brief", "annual"])
def test_section_numbers_follow_the_sections(year_2017, kind):
    sections = draft(kind, 2017, 9)["sections"]
    first = [s["heading"] for s in sections if s["level"] == 1]
    numbers = [heading.split("、", 1)[0] for heading in first]
    assert numbers == ["一", "二", "三", "四", "五"][: len(first)]
    if kind != "annual":
        assert first[-1] == "五、下一步工作要求"
    else:
        assert [s["heading"] for s in sections if s["level"] == 2] == [
            "（一）项目投资完成情况",
            "（二）项目开工建设情况",
        ]


def test_numbering_restarts_under_each_first_level_heading():
    sections = [
        {"heading": h, "level": level, "paragraphs": []}
        for h, level in [("甲", 1), ("乙", 2), ("丙", 2), ("丁", 1), ("戊", 2)]
    ]
    assert [s["heading"] for s in numbered(sections)] == [
        "一、甲",
        "（一）乙",
        "（二）丙",
        "二、丁",
        "（一）戊",
    ]
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
