"""Small, dependency-free SVG charts for reports: grouped horizontal bars and histograms.

Each function returns one self-contained ``<svg>`` element (text), to inline in HTML or save as a
``.svg`` file. Labels are escaped; sizes follow the number of bars, so a chart never clips.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")
FONT = "font-family=\"Helvetica, Arial, sans-serif\""
CHAR_W = 6.6  # average width of a 12 px character, for layout


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def nice_ticks(hi: float, n: int = 5, *, integer: bool = False) -> list[float]:
    """About ``n`` round tick values from 0 up to at least ``hi`` (whole numbers with ``integer``)."""
    if hi <= 0 or not math.isfinite(hi):
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    top = math.ceil(hi / step - 1e-9) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}">')
    return "\n".join([head, f"<title>{escape(title)}</title>",
                      '<rect width="100%" height="100%" fill="#ffffff"/>', *body, "</svg>"])


def _text(x: float, y: float, s: str, *, size: int = 12, anchor: str = "start", weight: str = "normal",
          fill: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')


def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    unit: str = "",
    max_value: float | None = None,
    notes: Sequence[str] | None = None,
    integer: bool = False,
    width: int = 720,
) -> str:
    """Horizontal bars, one group per label and one bar per series (None draws no bar, marked "n/a").

    ``unit`` follows each value ("%" for accuracies); ``max_value`` fixes the axis end (100 for
    percentages); ``notes`` adds a text per label (e.g. ``"n=40"``) after its label; ``integer`` puts
    the axis ticks on whole numbers (counts).
    """
    names = list(series)
    for name in names:
        if len(series[name]) != len(labels):
            raise ValueError(f"series {name!r} has {len(series[name])} values for {len(labels)} labels")
    shown = [f"{lab} ({notes[i]})" if notes else str(lab) for i, lab in enumerate(labels)]
    left = min(300.0, max(80.0, 12 + CHAR_W * max((len(s) for s in shown), default=4)))
    right = 64.0
    bar_h, gap = 13.0, 9.0
    top = 34.0 + (20.0 if len(names) > 1 else 0.0)
    group_h = bar_h * len(names) + gap
    plot_w = width - left - right
    height = top + group_h * max(1, len(labels)) + 36
    values = [v for name in names for v in series[name] if v is not None]
    hi = max_value if max_value is not None else max(values, default=1.0)
    ticks = nice_ticks(hi, integer=integer)
    hi = ticks[-1] or 1.0
    body = [_text(width / 2, 20, title, size=14, anchor="middle", weight="bold")]
    if len(names) > 1:
        x = left
        for k, name in enumerate(names):
            color = PALETTE[k % len(PALETTE)]
            body.append(f'<rect x="{x:.1f}" y="{top - 26:.1f}" width="11" height="11" fill="{color}"/>')
            body.append(_text(x + 15, top - 16.5, name, size=11))
            x += 30 + CHAR_W * 0.95 * len(name)
    bottom = top + group_h * max(1, len(labels))
    for t in ticks:
        x = left + plot_w * t / hi
        body.append(f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#e3e3e3"/>')
        body.append(_text(x, bottom + 15, f"{_fmt(t)}{unit}", size=10, anchor="middle", fill="#555"))
    for i, label in enumerate(shown):
        y0 = top + i * group_h
        body.append(_text(left - 6, y0 + group_h / 2 + 1, label, size=11, anchor="end"))
        for k, name in enumerate(names):
            v = series[name][i]
            y = y0 + k * bar_h
            if v is None:
                body.append(_text(left + 4, y + bar_h - 3, "n/a", size=10, fill="#888"))
                continue
            w = max(0.0, plot_w * min(v, hi) / hi)
            color = PALETTE[k % len(PALETTE)]
            body.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2:.1f}" '
                        f'fill="{color}"><title>{escape(f"{labels[i]} - {name}: {_fmt(v)}{unit}")}</title></rect>')
            body.append(_text(left + w + 4, y + bar_h - 3.5, f"{v:.1f}{unit}" if unit == "%" else _fmt(v),
                              size=10, fill="#333"))
    body.append(f'<line x1="{left:.1f}" y1="{top - 4:.1f}" x2="{left:.1f}" y2="{bottom:.1f}" stroke="#444"/>')
    return _svg(width, height, body, title)


def histogram(
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    bins: int = 20,
    color: str = PALETTE[0],
    width: int = 720,
    height: int = 260,
) -> str:
    """A histogram of ``values`` in ``bins`` equal-width bins (one bin when all values are equal)."""
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    left, right, top, bottom_pad = 48.0, 20.0, 34.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom_pad
    body = [_text(width / 2, 20, title, size=14, anchor="middle", weight="bold")]
    if not xs:
        body.append(_text(width / 2, height / 2, "no data", size=12, anchor="middle", fill="#888"))
        return _svg(width, height, body, title)
    lo, hi = min(xs), max(xs)
    if hi == lo:
        lo, hi, bins = lo - 0.5, hi + 0.5, 1
    step = (hi - lo) / bins
    counts = [0] * bins
    for x in xs:
        counts[min(bins - 1, int((x - lo) / step))] += 1
    yticks = nice_ticks(max(counts), 4, integer=True)
    ymax = yticks[-1] or 1.0
    base = top + plot_h
    for t in yticks:
        y = base - plot_h * t / ymax
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        body.append(_text(left - 5, y + 3.5, _fmt(t), size=10, anchor="end", fill="#555"))
    bw = plot_w / bins
    for i, c in enumerate(counts):
        if not c:
            continue
        h = plot_h * c / ymax
        a, b = lo + i * step, lo + (i + 1) * step
        body.append(f'<rect x="{left + i * bw + 0.5:.1f}" y="{base - h:.1f}" width="{max(bw - 1, 1):.1f}" '
                    f'height="{h:.1f}" fill="{color}"><title>{escape(f"{_fmt(a)} to {_fmt(b)}: {c}")}</title></rect>')
    for k in range(6):
        v = lo + (hi - lo) * k / 5
        x = left + plot_w * k / 5
        body.append(_text(x, base + 15, f"{v:.3g}", size=10, anchor="middle", fill="#555"))
    body.append(f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{width - right:.1f}" y2="{base:.1f}" stroke="#444"/>')
    body.append(_text(left + plot_w / 2, height - 8, xlabel, size=11, anchor="middle"))
    body.append(_text(12, top + plot_h / 2, "problems", size=11, anchor="middle",
                      fill="#333").replace("<text ", f'<text transform="rotate(-90 12 {top + plot_h / 2:.1f})" ', 1))
    return _svg(width, height, body, title)
