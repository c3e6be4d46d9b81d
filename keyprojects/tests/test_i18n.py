"""The English catalog: chosen in the top bar it translates our pages; never chosen, pages stay Chinese.

locale/en/LC_MESSAGES/django.po is the source, django.mo the compiled file Django reads; both are committed.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# path -> (English words of our own strings, Chinese labels they replace)
PAGES = {
    "/": (["Home", "Projects", "Annual plans", "Log out"], ["首页", "项目库", "年度计划", "退出登录"]),
    "/projects/": (
        ["Projects", "Export to Excel", "Project name or code"],
        ["项目库", "导出Excel", "项目名称或代码"],
    ),
    "/plans/": (["Annual plans", "New annual plan", "Plan name"], ["年度计划", "新建年度计划", "计划名称"]),
    "/reports/board/": (
        ["Reporting board", "Month", "Export to Excel"],
        ["报送看板", "导出Excel", "问题台账"],
    ),
}


def choose_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", PAGES)
def test_english_chosen_in_the_top_bar_translates_our_pages(world, client_for, path: str) -> None:
    client = client_for(world.coordinator)
    choose_english(client)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    english, chinese = PAGES[path]
    for word in english:
        assert word in html, f"{path}: {word!r} missing"
    for label in chinese:
        assert label not in html, f"{path}: {label!r} still shown"
    assert '<html lang="en">' in html


@pytest.mark.parametrize("path", PAGES)
def test_without_a_choice_pages_are_chinese_even_for_an_english_browser(world, client_for, path: str) -> None:
    client = client_for(world.coordinator)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    english, chinese = PAGES[path]
    for label in chinese:
        assert label in html, f"{path}: {label!r} missing"
    assert '<html lang="zh-hans">' in html and "Log out" not in html


def test_switching_back_to_chinese(world, client_for) -> None:
    client = client_for(world.coordinator)
    choose_english(client)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/plans/").content.decode()
    assert "年度计划" in html and "Annual plans" not in html


def test_catalog_has_no_untranslated_or_fuzzy_entries() -> None:
    lines = PO_FILE.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("msgid ") for line in lines) > 100
    assert not [n for n, line in enumerate(lines, 1) if line.startswith("#,") and "fuzzy" in line], (
        "fuzzy entries"
    )
    empty = []
    for n, line in enumerate(lines):
        if re.fullmatch(r'msgstr(\[\d+\])? ""', line):
            following = lines[n + 1] if n + 1 < len(lines) else ""
            if not following.startswith('"'):
                empty.append(n + 1)
    assert not empty, f"untranslated entries at lines {empty[:10]}"


def test_compiled_catalog_matches_the_po_file() -> None:
    """django.mo holds every message of django.po: run compilemessages after editing the .po."""
    po_ids = sum(line.startswith("msgid ") for line in PO_FILE.read_text(encoding="utf-8").splitlines()) - 1
    with MO_FILE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]  # private, not in typeshed
    mo_ids = {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}
    assert len(mo_ids) == po_ids


def test_messages_translated_where_they_are_raised_are_in_the_catalog() -> None:
    """Models, forms and services translate with `_t` (gettext) when they raise a message; the
    project's makemessages collects those too, so every such literal has its English entry."""
    source = re.compile(r'\b_t\(\s*"((?:[^"\\]|\\.)+)"\s*[,)%]')
    with MO_FILE.open("rb") as handle:
        catalog = {
            key[0] if isinstance(key, tuple) else key
            for key in gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]  # private, not in typeshed
        }
    found, missing = 0, []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if {".venv", "node_modules", "tests", "migrations"} & set(path.parts):
            continue
        for text in source.findall(path.read_text(encoding="utf-8")):
            found += 1
            if text not in catalog:
                missing.append(f"{path.relative_to(settings.BASE_DIR)}: {text}")
    assert found > 100
    assert not missing, missing[:10]
