"""Small hand-written SVG charts, rendered on the server: they need no JavaScript and print.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``); the page puts the same figures in a table beside it, which is what
screen readers and the CSV export use. Every text in a chart is escaped.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Fill colours with at least 3:1 contrast against white (WCAG 1.4.11), for up to 5 series.
PALETTE = ("#004b76", "#0077b6", "#3f8f3f", "#b35900", "#7a3e9d")
TEXT = 'font-family="Fira Sans, sans-serif" font-size="12" fill="#1b1b1b"'


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 (every text in body and here is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def bar_chart(
    chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, float]]
) -> SafeString:
    """Vertical bars, one per (label, value), with the value above each bar."""
    width, height, top, bottom, left = 640, 240, 24, 40, 8
    slot = (width - left) / max(len(bars), 1)
    peak = max((value for _label, value in bars), default=0) or 1
    scale = (height - top - bottom) / peak
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#1b1b1b"/>'
    ]
    for index, (label, value) in enumerate(bars):
        x = left + index * slot + slot * 0.15
        bar_height = value * scale
        y = height - bottom - bar_height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_height:.1f}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" {TEXT}>'
            f"{escape(_number(value))}</text>"
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f"{TEXT}>{escape(label)}</text>"
        )
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def stacked_bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
) -> SafeString:
    """Horizontal bars, one per (label, values), split into the ``series``; a legend on top."""
    label_width, width, bar_height, gap, legend = 150, 640, 22, 10, 30
    height = legend + len(rows) * (bar_height + gap) + gap
    peak = max((sum(values) for _label, values in rows), default=0) or 1
    scale = (width - label_width - 40) / peak
    parts = []
    for index, name in enumerate(series):
        x = index * (width / max(len(series), 1))
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{PALETTE[index]}"/>'
            f'<text x="{x + 16:.1f}" y="14" {TEXT}>{escape(name)}</text>'
        )
    for row, (label, values) in enumerate(rows):
        y = legend + row * (bar_height + gap)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" {TEXT}>'
            f"{escape(label)}</text>"
        )
        x = float(label_width)
        for index, value in enumerate(values):
            if value:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{value * scale:.1f}" '
                    f'height="{bar_height}" fill="{PALETTE[index]}" stroke="#fff"/>'
                )
            x += value * scale
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}" {TEXT}>{sum(values)}</text>')
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def adoption_matrix(
    chart_id: str,
    title: str,
    desc: str,
    publishers: Sequence[tuple[int, str]],
    adopters: Sequence[tuple[int, str]],
    counts: dict[tuple[int, int], int],
) -> SafeString:
    """A matrix: a row per publisher, a column per adopter, the number of the publisher's
    solutions the adopter offers in the cell (darker for more; the diagonal is own use)."""
    cell, label_width, header = 44, 150, 110
    width = label_width + cell * len(adopters) + 8
    height = header + cell * len(publishers) + 8
    peak = max(counts.values(), default=0) or 1
    parts = []
    for column, (_pk, name) in enumerate(adopters):
        x = label_width + column * cell + cell / 2
        parts.append(
            f'<text transform="translate({x + 4:.1f},{header - 6}) rotate(-55)" {TEXT}>'
            f"{escape(name)}</text>"
        )
    for row, (publisher, name) in enumerate(publishers):
        y = header + row * cell
        parts.append(
            f'<text x="{label_width - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" {TEXT}>'
            f"{escape(name)}</text>"
        )
        for column, (adopter, _name) in enumerate(adopters):
            count = counts.get((publisher, adopter), 0)
            x = label_width + column * cell
            shade = 0.15 + 0.85 * count / peak if count else 0
            fill = f'fill="{PALETTE[0]}" fill-opacity="{shade:.2f}"' if count else 'fill="#fff"'
            colour = "#fff" if shade > 0.55 else "#1b1b1b"
            dashed = ' stroke-dasharray="3 2"' if publisher == adopter else ""
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" {fill} stroke="#767676"'
                f"{dashed}/>"
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                f'font-family="Fira Sans, sans-serif" font-size="13" fill="{colour}">'
                f"{count or ''}</text>"
            )
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
