"""Charts for the Word report, drawn with matplotlib (Agg) to PNG bytes.

The same results give the same bytes: no timestamp in the PNG metadata and a
fixed size and resolution.
"""

from __future__ import annotations

import io
from functools import lru_cache

from dti_report.core import formatting as fmt
from dti_report.reports.context import SetView

# The report is in Times New Roman; Liberation Serif has the same metrics and
# full Vietnamese coverage where Times is not installed (Linux servers).
SERIF = ("Times New Roman", "Liberation Serif", "DejaVu Serif")
# Beyond this many units the ranked bar chart shows the top and bottom halves of it.
MAX_BARS = 40
DPI = 150
MAX_HEIGHT = 9.0  # inches, at 6.3 inches wide: 229 mm in a 160 mm wide picture
COLORS = ("#1F4E79", "#2E75B6", "#9DC3E6", "#C55A11", "#F4B183", "#548235", "#A9D18E", "#7F6000", "#FFD966",
          "#7030A0", "#B4A7D6", "#808080")


@lru_cache(maxsize=1)
def pyplot():
    """matplotlib's pyplot on the Agg backend, imported on the first chart: it costs most
    of a second, which `check` and the other commands that draw nothing do not pay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@lru_cache(maxsize=1)
def _font() -> str:
    """The first serif font whose file has Vietnamese letters (old Liberation
    releases lack them); DejaVu Serif ships with matplotlib and always does."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    for name in SERIF:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
            if all(ord(ch) in FT2Font(path).get_charmap() for ch in "ệươỹ"):
                return name
        except (ValueError, RuntimeError, OSError):
            continue
    return "DejaVu Serif"


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    pyplot().close(fig)
    return buffer.getvalue()


def _style():
    return pyplot().rc_context({"font.family": _font(), "font.size": 9, "axes.spines.top": False,
                           "axes.spines.right": False, "svg.hashsalt": "dti-report"})


def totals_chart(view: SetView) -> tuple[bytes, str]:
    """Totals ranked, as horizontal bars stacked by main index. Returns the PNG and
    a note for the caption when only the top and bottom units are drawn."""
    s, totals = view.iset, view.totals
    names = view.names()
    rows = list(range(len(totals)))
    positions = list(range(len(rows)))
    note = ""
    if len(rows) > MAX_BARS:
        half = MAX_BARS // 2
        rows = rows[:half] + rows[-half:]
        positions = list(range(half)) + list(range(half + 1, 2 * half + 1))  # a gap between the two halves
        note = f" ({half} đơn vị đứng đầu và {half} đơn vị cuối bảng trong tổng số {fmt.number(len(totals))} đơn vị)"
    labels = [f"{int(totals['rank'].iloc[r])}. {names[r]}" for r in rows]
    slots = positions[-1] + 1
    legend_rows = -(-len(s.indices) // 3)
    with _style():
        # At most MAX_HEIGHT: with its caption the chart must fit on one A4 page.
        height = min(0.9 + 0.2 * legend_rows + 0.24 * slots, MAX_HEIGHT)
        fig, ax = pyplot().subplots(figsize=(6.3, height), layout="constrained")
        left = [0.0] * len(rows)
        for k, index in enumerate(s.indices):
            values = [float(totals[index.id].iloc[r]) for r in rows]
            ax.barh(positions, values, left=left, color=COLORS[k % len(COLORS)], height=0.7,
                    label=f"{index.id}. {index.name}")
            left = [a + b for a, b in zip(left, values)]
        for y, total in zip(positions, left):
            ax.text(total + s.total_points * 0.006, y, fmt.fixed(total, 1), va="center", fontsize=7)
        if slots > len(rows):
            ax.axhline(MAX_BARS // 2, color="#808080", linewidth=0.8, linestyle=(0, (4, 3)))
        ax.set_yticks(positions, labels, fontsize=8 if slots <= 30 else 7)
        ax.set_ylim(slots - 0.5, -0.5)
        ax.set_xlim(0, s.total_points * 1.1)  # room for the total beside the longest bar
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= s.total_points])
        ax.set_xlabel(f"Điểm (tối đa {fmt.number(s.total_points)})")
        ax.xaxis.set_major_formatter(lambda x, _pos: fmt.number(x, 0))
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.legend(loc="outside upper center", ncol=3, fontsize=7, frameon=False)
        return _png(fig), note


def spread_chart(view: SetView) -> bytes:
    """Each main index across units: a box plot of % of its maximum."""
    s = view.iset
    shares = view.shares() * 100
    with _style():
        fig, ax = pyplot().subplots(figsize=(6.3, 3.4), layout="constrained")
        ax.boxplot([shares[i.id].to_numpy() for i in s.indices], showmeans=True, widths=0.55,
                   medianprops={"color": "#C55A11"},
                   meanprops={"marker": "D", "markerfacecolor": "#1F4E79", "markeredgecolor": "#1F4E79", "markersize": 4},
                   flierprops={"marker": "o", "markersize": 3, "markeredgecolor": "#595959"})
        ax.set_xticks(range(1, len(s.indices) + 1), [f"Chỉ số {i.id}" for i in s.indices],
                      fontsize=8, rotation=0 if len(s.indices) <= 7 else 30)
        ax.set_ylim(-3, 103)
        ax.set_ylabel("% điểm tối đa")
        ax.yaxis.set_major_formatter(lambda y, _pos: f"{fmt.number(y, 0)}%")
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        return _png(fig)
