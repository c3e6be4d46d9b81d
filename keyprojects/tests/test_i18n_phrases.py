"""Phrases put together from parts (a period and a title, a category and 问题, a number and its unit)
read right in both languages: each is one message with placeholders, so English gets its spaces and
its word order, and Chinese stays as it was."""

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from problems.models import Problem
from progress.periods import Period
from projects.choices import ReportFrequency

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [
    path
    for path in Path(settings.BASE_DIR).rglob("templates")
    if not {".venv", "node_modules", "static", "staticfiles"} & set(path.parts)
]
# A value printed right against a translated word, or two translated words with only the opening or
# closing of a condition between (not {% else %}: the words either side of it are alternatives).
VALUE_THEN_WORD = re.compile(r"\}\}\{% translate '([^']+)' %\}")
WORD_THEN_VALUE = re.compile(r"\{% translate '([^']+)' %\}\{\{")
WORD_THEN_WORD = re.compile(
    r"\{% translate '([^']+)' %\}(?:\{% (?:if [^%]*|endif) %\})+\{% translate '([^']+)' %\}"
)


def choose_english(client: Client) -> None:
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302


def english(text: str) -> str:
    with translation.override("en"):
        return translation.gettext(text)


def glued(left: str, right: str) -> bool:
    """Whether two English pieces printed side by side run into one word ("DemolitionProblem")."""
    return bool(left) and bool(right) and left[-1].isalnum() and right[0].isalnum()


def test_no_template_glues_a_translated_word_to_its_neighbour() -> None:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            source = path.read_text(encoding="utf-8")
            where = path.relative_to(settings.BASE_DIR)
            # A value (a number, a name) is taken to begin and end with a letter or digit.
            found += [
                f"{where}: {{{{…}}}}{m}" for m in VALUE_THEN_WORD.findall(source) if glued("0", english(m))
            ]
            found += [
                f"{where}: {m}{{{{…}}}}" for m in WORD_THEN_VALUE.findall(source) if glued(english(m), "0")
            ]
            found += [
                f"{where}: {a}…{b}"
                for a, b in WORD_THEN_WORD.findall(source)
                if glued(english(a), english(b))
            ]
    assert not found, found


def test_the_assessment_title_names_the_window_and_the_group_in_either_language(world, client_for) -> None:
    client = client_for(world.coordinator)
    url = "/assessment/?group=town&year=2026&kind=quarter&number=4"
    chinese = client.get(url).content.decode()
    assert "2026年第4季度 乡镇/街道重点项目考核" in chinese
    choose_english(client)
    page = client.get(url).content.decode()
    assert "Key project assessment of towns/subdistricts, Q4 2026" in page
    assert "Towns/subdistrictsKey" not in page and "季度" not in page
    assert re.search(r"Weight \d+\.\d · target \d+\.\d%", page), "权重/目标 under each indicator"
    assert re.search(r"Total score \(\d+\.\d\)", page)
    departments = client.get("/assessment/?group=department&year=2026&kind=half&number=1").content.decode()
    assert "Key project assessment of departments, H1 2026" in departments
    export = client.get("/assessment/?group=department&year=2026&kind=year&number=1&export=xlsx")
    assert "Key project assessment of departments, Full year 2026.xlsx" in unquote(
        export["Content-Disposition"]
    )


def test_the_problem_title_reads_category_then_problem(world, client_for) -> None:
    problem = Problem.objects.create(
        project=world.project_a,
        category="demolition",
        description="沿线3户房屋尚未签订征迁协议",
        raised_at=datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    client = client_for(world.coordinator)
    assert "拆迁问题 · 滨河路改造工程" in client.get(f"/problems/{problem.pk}/").content.decode()
    choose_english(client)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "Demolition problem · 滨河路改造工程" in page and "DemolitionProblem" not in page


def test_a_part_of_a_month_reads_as_one_label() -> None:
    second_half = Period(2026, 10, 2, ReportFrequency.HALF_MONTHLY)
    middle = Period(2026, 3, 2, ReportFrequency.TEN_DAILY)
    with translation.override("zh-hans"):
        assert (second_half.label, middle.label) == ("2026年10月下半月", "2026年3月中旬")
    with translation.override("en"):
        assert (second_half.label, middle.label) == ("2026-10, second half", "2026-03, middle ten days")


def test_the_forbidden_page_is_english_when_english_is_chosen(world, client_for) -> None:
    client = client_for(world.leader)
    choose_english(client)
    response = client.post("/exchange/upload/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page and "Your role cannot import spreadsheets." in page
    assert "Back to the home page" in page
    assert "无权访问" not in page and "403 Forbidden" not in page
