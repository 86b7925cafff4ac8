"""Charts drawn on the server as accessible SVG. The same data is always in a table beside them."""

from __future__ import annotations

from datetime import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 300
CHART_WIDTH = 640


def _svg(chart_id: str, title: str, desc: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" aria-labelledby="{}-t" '
        'aria-describedby="{}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        CHART_WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, desc, body,
    )  # fmt: skip


LABEL_CHARS = 40


def _short(label: str) -> str:
    """Chart labels are cut to fit; the table beside the chart has them in full."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip(" ,:") + "\u2026"


def bar_chart(*, chart_id: str, title: str, rows: list[tuple[str, int | None]]) -> SafeString:
    """Horizontal bars; a suppressed row keeps its label and shows no bar."""
    shown = [v for _label, v in rows if v is not None]
    top = max(shown, default=1) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 70
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        width = 0 if value is None else max(1, round(span * value / top))
        text = "\u2013" if value is None else f"{value:,}"
        parts.append(
            (y, _short(label), y + 15, LABEL_WIDTH, y, width, LABEL_WIDTH + width + 6, y + 15, text)
        )
    body = format_html_join(
        "",
        '<g><text class="chart-label" x="0" y="{2}">{1}</text>'
        '<rect class="chart-bar" x="{3}" y="{4}" width="{5}" height="'
        + str(BAR_HEIGHT)
        + '"></rect>'
        '<text class="chart-value" x="{6}" y="{7}">{8}</text></g>',
        parts,
    )
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP)
    desc = f"Bar chart with {len(rows)} rows; the table below gives the same figures."
    return _svg(chart_id, title, desc, height, body)


def _when(period: str) -> str:
    """'2026-03-01T14:00:00+00:00' -> '1 Mar 14:00' (hours) or '1 Mar' (midnight: days)."""
    stamp = datetime.fromisoformat(period)
    day = f"{stamp.day} {stamp:%b}"
    return day if (stamp.hour, stamp.minute) == (0, 0) else f"{day} {stamp:%H:%M}"


def wave_chart(*, chart_id: str, title: str, points: list[tuple[str, int | None]]) -> SafeString:
    """Columns over time; suppressed periods are drawn as a short grey marker."""
    height, base = 232, 200
    shown = [v for _label, v in points if v is not None]
    top = max(shown, default=1) or 1
    n = max(1, len(points))
    step = CHART_WIDTH / n
    parts = []
    for i, (_label, value) in enumerate(points):
        h = 0 if value is None else max(1, round((base - 10) * value / top))
        css = "chart-bar" if value is not None else "chart-suppressed"
        h = h if value is not None else 3
        parts.append((css, f"{i * step:.2f}", base - h, f"{max(step - 1, 0.5):.2f}", h))
    body = format_html_join(
        "", '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>', parts
    )
    axis = format_html(
        '<line class="chart-axis" x1="0" y1="{}" x2="{}" y2="{}"></line>', base, CHART_WIDTH, base
    )
    if points:
        axis = format_html(
            '{}<text class="chart-label" x="0" y="222">{}</text>'
            '<text class="chart-label" x="{}" y="222" text-anchor="end">{}</text>',
            axis, _when(points[0][0]), CHART_WIDTH, _when(points[-1][0]),
        )  # fmt: skip
    desc = f"Column chart of voices added in {len(points)} periods; the table gives the figures."
    return _svg(chart_id, title, desc, height, format_html("{}{}", body, axis))
