"""Charts of a bulletin as PNG images (matplotlib, no display), in Chinese.

The font is a file found directly: CHART_FONT_PATH, or what fontconfig names for Chinese (Noto Sans
CJK SC from fonts-noto-cjk). matplotlib's own font list is a cache made when it was first imported,
possibly before the Chinese fonts were installed, and it silently draws boxes for glyphs it lacks;
so every character of a chart is checked against the chosen font first, and a chart the font cannot
show raises ChartFontMissing instead of being drawn.
"""

import functools
import io
import shutil
import subprocess
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from django.conf import settings  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib import font_manager, ft2font  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

# What fontconfig is asked for, best first: the font the setup installs, then any Chinese sans-serif.
FONTCONFIG_PATTERNS = ["Noto Sans CJK SC", "sans-serif:lang=zh-cn"]
# Axis numbers and percentages, drawn in the same font as the labels.
NUMERALS = "0123456789.-%"
MONTHLY_LEGEND = ("累计完成投资", "按时间进度应完成")
MONTHLY_UNIT = "亿元"


class ChartFontMissing(Exception):
    """图表字体缺失: no font file on the server can show every character of a chart."""


def _fontconfig_fonts() -> list[tuple[str, int]]:
    """The font files (and faces of a collection) fontconfig picks for Chinese text."""
    binary = shutil.which("fc-match")
    if binary is None:
        return []
    found: list[tuple[str, int]] = []
    for pattern in FONTCONFIG_PATTERNS:
        try:
            completed = subprocess.run(
                [binary, "-f", "%{file}\t%{index}", pattern],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
        except (subprocess.SubprocessError, OSError):
            continue
        path, _tab, index = completed.stdout.partition("\t")
        if path and (path, int(index or 0)) not in found:
            found.append((path, int(index or 0)))
    return found


@functools.lru_cache(maxsize=16)
def _faces(path: str) -> list[tuple[int, str]]:
    """Each face of a font file (one, or several in a .ttc collection) with its family name."""
    first = ft2font.FT2Font(path)
    faces = [(0, first.family_name)]
    for index in range(1, first.num_faces):
        faces.append((index, ft2font.FT2Font(path, face_index=index).family_name))
    return faces


@functools.lru_cache(maxsize=16)
def _characters(path: str, index: int) -> frozenset[int]:
    """The code points a face has glyphs for."""
    return frozenset(ft2font.FT2Font(path, face_index=index).get_charmap())


def _configured_font(path: str) -> tuple[str, int]:
    """CHART_FONT_PATH's file; of a collection, its Simplified Chinese face when it has one."""
    if not Path(path).is_file():
        raise ChartFontMissing(
            _(
                "CHART_FONT_PATH 指定的字体文件不存在：%(path)s。请改正该设置，或安装 fonts-noto-cjk 后清空它。"
            )
            % {"path": path}
        )
    try:
        faces = _faces(path)
    except (OSError, RuntimeError) as error:
        raise ChartFontMissing(
            _("CHART_FONT_PATH 指定的文件不是可用的字体：%(path)s（%(error)s）。")
            % {"path": path, "error": error}
        ) from error
    simplified = [index for index, family in faces if family.endswith((" SC", " CN"))]
    return path, (simplified or [0])[0]


def chart_font(texts: Iterable[str]) -> tuple[str, int]:
    """The font file and face that can show every character of `texts`; ChartFontMissing if none can."""
    # In reading order, so that the message names the characters as they appear.
    needed = list(dict.fromkeys(c for text in [*texts, NUMERALS] for c in text if not c.isspace()))
    configured = settings.CHART_FONT_PATH
    candidates = [_configured_font(configured)] if configured else _fontconfig_fonts()
    missing = [c for c in needed if not c.isascii()]
    for path, index in candidates:
        lacking = [c for c in needed if ord(c) not in _characters(path, index)]
        if not lacking:
            return path, index
        missing = min(missing, lacking, key=len)
    shown = "".join(missing[:10]) + ("…" if len(missing) > 10 else "")
    if configured:
        message = _(
            "图表无法生成：CHART_FONT_PATH 指定的字体 %(path)s 缺少这些字的字形：%(chars)s。"
            "请指定含中文字形的字体文件，或安装 fonts-noto-cjk（sudo apt-get install fonts-noto-cjk）后清空该设置。"
        ) % {"path": configured, "chars": shown}
    else:
        message = _(
            "图表无法生成：服务器没有能显示这些字的中文字体：%(chars)s。"
            "请系统管理员安装 fonts-noto-cjk（sudo apt-get install fonts-noto-cjk）后重试。"
        ) % {"chars": shown}
    raise ChartFontMissing(message)


def _style(texts: Iterable[str]) -> dict[RcKeyType, Any]:
    """matplotlib settings drawing `texts` in the font found for them."""
    path, index = chart_font(texts)
    family = dict(_faces(path))[index]
    if not any(entry.fname == path and entry.name == family for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return {"font.family": [family], "axes.unicode_minus": False}


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _monthly_labels(data: dict[str, Any]) -> list[str]:
    return [f"{m['month']}月" for m in data["monthly"]]


def _category_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data["by_category"] if Decimal(r["completed"]) > 0]


def _category_labels(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{r['label']}\n{Decimal(r['completed']) / 10000:.2f}亿元" for r in rows]


def chart_texts(data: dict[str, Any]) -> list[str]:
    """Every text the charts of a bulletin with these figures would draw."""
    texts: list[str] = []
    if data.get("monthly"):
        texts += [*_monthly_labels(data), *MONTHLY_LEGEND, MONTHLY_UNIT]
    if data.get("by_category"):
        texts += _category_labels(_category_rows(data))
    return texts


def check_fonts(data: dict[str, Any]) -> None:
    """ChartFontMissing now if the charts of these figures could not be drawn, before anyone asks for them."""
    texts = chart_texts(data)
    if texts:
        chart_font(texts)


def monthly_chart(data: dict[str, Any]) -> bytes | None:
    """累计完成投资（亿元）by month, with the plan's time-progress line."""
    months = data["monthly"]
    if not months:
        return None
    labels = _monthly_labels(data)
    with plt.rc_context(_style([*labels, *MONTHLY_LEGEND, MONTHLY_UNIT])):
        figure, axis = plt.subplots(figsize=(7, 3.2))
        done = [float(Decimal(m["completed"]) / 10000) for m in months]
        planned = [float(Decimal(m["planned_to_date"]) / 10000) for m in months]
        axis.bar(labels, done, color="#206bc4", label=MONTHLY_LEGEND[0])
        axis.plot(labels, planned, color="#d63939", linestyle="--", marker="o", label=MONTHLY_LEGEND[1])
        axis.set_ylabel(MONTHLY_UNIT)
        axis.legend(loc="upper left", frameon=False)
        axis.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def category_chart(data: dict[str, Any]) -> bytes | None:
    """完成投资 by category (亿元)."""
    rows = _category_rows(data)
    if not rows:
        return None
    labels = _category_labels(rows)
    with plt.rc_context(_style(labels)):
        figure, axis = plt.subplots(figsize=(5, 3.2))
        axis.pie(
            [float(Decimal(r["completed"])) for r in rows],
            labels=labels,
            autopct=lambda p: f"{p:.1f}%",
            startangle=90,
            counterclock=False,
        )
        axis.axis("equal")
        return _png(figure)
