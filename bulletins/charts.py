"""Charts of a bulletin as PNG images (matplotlib, no display), in Chinese."""

import io
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

# Whichever CJK font the machine has; the setup installs Noto CJK.
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei"]


def _font() -> list[str]:
    available = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in available] or ["DejaVu Sans"]


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def monthly_chart(data: dict[str, Any]) -> bytes | None:
    """累计完成投资（亿元）by month, with the plan's time-progress line."""
    months = data["monthly"]
    if not months:
        return None
    plt.rcParams["font.sans-serif"] = _font()
    plt.rcParams["axes.unicode_minus"] = False
    figure, axis = plt.subplots(figsize=(7, 3.2))
    labels = [f"{m['month']}月" for m in months]
    done = [float(Decimal(m["completed"]) / 10000) for m in months]
    planned = [float(Decimal(m["planned_to_date"]) / 10000) for m in months]
    axis.bar(labels, done, color="#206bc4", label="累计完成投资")
    axis.plot(labels, planned, color="#d63939", linestyle="--", marker="o", label="按时间进度应完成")
    axis.set_ylabel("亿元")
    axis.legend(loc="upper left", frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def category_chart(data: dict[str, Any]) -> bytes | None:
    """完成投资 by category (亿元)."""
    rows = [r for r in data["by_category"] if Decimal(r["completed"]) > 0]
    if not rows:
        return None
    plt.rcParams["font.sans-serif"] = _font()
    figure, axis = plt.subplots(figsize=(5, 3.2))
    axis.pie(
        [float(Decimal(r["completed"])) for r in rows],
        labels=[f"{r['label']}\n{Decimal(r['completed']) / 10000:.2f}亿元" for r in rows],
        autopct=lambda p: f"{p:.1f}%",
        startangle=90,
        counterclock=False,
    )
    axis.axis("equal")
    return _png(figure)
