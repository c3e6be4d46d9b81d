"""A bulletin's charts are drawn in a Chinese font file found directly, or refused with a clear message:
never a picture of boxes."""

import warnings
from pathlib import Path

import matplotlib
import pytest
from django.urls import reverse
from matplotlib import font_manager, ft2font

from bulletins.charts import ChartFontMissing, category_chart, chart_font, check_fonts, monthly_chart
from bulletins.models import Bulletin
from bulletins.tests.test_bulletins import year_2017  # noqa: F401
from figures.tests.test_figures import district  # noqa: F401

# matplotlib's own font: Latin, Greek and Cyrillic, no Chinese.
DEJAVU = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
FIGURES = {
    "monthly": [
        {"month": 1, "completed": "12000", "planned_to_date": "10000"},
        {"month": 2, "completed": "25000", "planned_to_date": "20000"},
    ],
    "by_category": [
        {"label": "产业项目", "completed": "20000"},
        {"label": "基础设施", "completed": "5000"},
    ],
}
PNG = b"\x89PNG\r\n\x1a\n"


def test_a_font_without_chinese_glyphs_makes_chart_drawing_raise_a_clear_error(settings):
    settings.CHART_FONT_PATH = DEJAVU
    with pytest.raises(ChartFontMissing) as raised:
        monthly_chart(FIGURES)
    message = str(raised.value)
    assert message.startswith("图表无法生成")
    assert DEJAVU in message and "月累计完成投资" in message
    assert "sudo apt-get install fonts-noto-cjk" in message
    with pytest.raises(ChartFontMissing, match="产业项目"):
        category_chart(FIGURES)


def test_a_configured_font_file_that_is_not_there_is_named(settings, tmp_path):
    settings.CHART_FONT_PATH = str(tmp_path / "SimHei.ttf")
    with pytest.raises(ChartFontMissing, match="SimHei.ttf"):
        check_fonts(FIGURES)
    (tmp_path / "SimHei.ttf").write_bytes(b"not a font")
    with pytest.raises(ChartFontMissing, match="不是可用的字体"):
        check_fonts(FIGURES)


def test_fontconfig_names_a_chinese_font_file_and_its_simplified_chinese_face(settings):
    settings.CHART_FONT_PATH = ""
    path, index = chart_font(["累计完成投资", "按时间进度应完成", "亿元"])
    face = ft2font.FT2Font(path, face_index=index)
    assert {ord(c) for c in "累计完成投资亿元"} <= set(face.get_charmap())
    if path.endswith(".ttc"):
        assert face.family_name.endswith(" SC")


def test_charts_are_drawn_with_every_glyph_even_when_matplotlibs_font_list_predates_the_fonts(
    settings, monkeypatch
):
    """matplotlib's font list is a cache; one made before fonts-noto-cjk was installed knows no Chinese
    font. The chart's font file is added to it, so nothing is drawn as a box."""
    settings.CHART_FONT_PATH = ""
    manager = font_manager.fontManager
    latin_only = [entry for entry in manager.ttflist if "CJK" not in entry.name]
    monkeypatch.setattr(manager, "ttflist", latin_only)
    manager._findfont_cached.cache_clear()  # type: ignore[attr-defined]  # matplotlib's private cache
    try:
        with warnings.catch_warnings():
            # matplotlib warns "Glyph … missing from font(s)" for every box it draws.
            warnings.simplefilter("error")
            monthly = monthly_chart(FIGURES)
            category = category_chart(FIGURES)
    finally:
        manager._findfont_cached.cache_clear()  # type: ignore[attr-defined]  # matplotlib's private cache
    assert monthly and monthly.startswith(PNG)
    assert category and category.startswith(PNG)


@pytest.mark.django_db
def test_a_draft_whose_charts_cannot_be_drawn_says_so_and_is_not_published(
    year_2017,  # noqa: F811
    world,
    client_for,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    settings.CHART_FONT_PATH = DEJAVU
    client = client_for(world.coordinator)
    response = client.post(
        reverse("bulletins:create"),
        {"kind": "monthly", "year": 2017, "month": 12, "level": "local"},
        follow=True,
    )
    html = response.content.decode()
    assert "草稿已生成" in html and "图表无法生成" in html
    bulletin = Bulletin.objects.get()

    response = client.post(reverse("bulletins:publish", args=[bulletin.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("bulletins:edit", args=[bulletin.pk])
    assert "图表无法生成" in response.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.DRAFT and bulletin.number is None
    assert not bulletin.docx and not list(tmp_path.rglob("*.docx"))

    response = client.get(reverse("bulletins:file", args=[bulletin.pk, "docx"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("bulletins:detail", args=[bulletin.pk])
    assert "图表无法生成" in response.content.decode()

    # With the font there, the same draft's document comes with its charts.
    settings.CHART_FONT_PATH = ""
    response = client.get(reverse("bulletins:file", args=[bulletin.pk, "docx"]))
    assert response.status_code == 200
    assert b"word/media/" in response.content
