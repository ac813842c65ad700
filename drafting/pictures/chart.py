"""A chart of a plan's progress over time, one line per objective against the expected pace.

Built from plain data (dates and fractions), so neither the plan's tables nor Slack are needed
to draw it: the Slack side hands over each objective's history and gets a PNG back. The chart is
an SVG laid out here and drawn by the same WeasyPrint + PDFium engine as the draft pictures, in
the same typeface and colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from drafting.pictures.engine import render_document_png

# Points (1/72 in) of the picture; rendered at 2× this is 1600 × 900 pixels, 16:9 like a slide.
WIDTH, HEIGHT = 800.0, 450.0
CHART_SCALE = 2.0
CHART_SIZE = (round(WIDTH * CHART_SCALE), round(HEIGHT * CHART_SCALE))
# The plot area inside the page: room on the left for the axis labels, on the right for the legend.
PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM = 58.0, 78.0, 548.0, 398.0
# Okabe–Ito: distinguishable with every common colour-vision deficiency, and in greyscale print.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D31")
MAX_SERIES = len(PALETTE)
LEGEND_CHARS = 30
LEGEND_LINE, LEGEND_GAP = 11.5, 14.0


@dataclass(frozen=True)
class ChartData:
    """What to draw: each label's (day, progress 0..1) points over the period from `starts` to
    `ends`, with `today` marked when it falls inside."""

    title: str
    subtitle: str
    starts: date
    ends: date
    series: Mapping[str, Sequence[tuple[date, float]]]
    today: date | None = None


@dataclass(frozen=True)
class Line:
    label: tuple[str, ...]  # "1 · Reliability customers can count on", wrapped to two lines
    colour: str
    legend_y: float  # the baseline of the legend entry's first line
    points: str  # SVG polyline points, "x,y x,y"
    dots: tuple[tuple[float, float], ...]
    latest: str  # "62%", or "no check-in yet"


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class ChartLayout:
    """Everything the template draws, already in page coordinates."""

    title: str
    subtitle: str
    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    pace: tuple[float, float, float, float]  # x1, y1, x2, y2 of the expected-pace line
    today: float | None  # x of today's marker, inside the period
    lines: tuple[Line, ...]
    more_y: float  # where "+ 2 more objectives" goes
    more: int  # objectives left out of the legend (beyond the palette)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: int = LEGEND_CHARS, lines: int = 2) -> tuple[str, ...]:
    """`text` in at most `lines` lines of about `width` characters, the last cut with '…'."""
    words, out, current = " ".join(text.split()).split(" "), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return tuple(_short(line, width + 2) for line in out)


def _month_ticks(starts: date, ends: date) -> list[date]:
    """The first of each month inside the period (a quarter gives three or four)."""
    ticks = []
    day = date(starts.year, starts.month, 1)
    while day <= ends:
        if day >= starts:
            ticks.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def layout_chart(data: ChartData) -> ChartLayout:
    """Page coordinates for the series over the period."""
    starts, ends, series, today = data.starts, data.ends, data.series, data.today
    span = max((ends - starts).days, 1)

    def x_of(day: date) -> float:
        share = min(max((day - starts).days / span, 0.0), 1.0)
        return round(PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT), 2)

    def y_of(progress: float) -> float:
        share = min(max(progress, 0.0), 1.0)
        return round(PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP), 2)

    lines = []
    legend_y = PLOT_TOP + 28
    for index, (label, points) in enumerate(list(series.items())[:MAX_SERIES]):
        ordered = sorted(points)
        coords = tuple((x_of(day), y_of(value)) for day, value in ordered)
        latest = f"{round(ordered[-1][1] * 100)}%" if ordered else "no check-in yet"
        wrapped = _wrap(label)
        lines.append(
            Line(
                label=wrapped,
                colour=PALETTE[index],
                legend_y=legend_y,
                points=" ".join(f"{x},{y}" for x, y in coords),
                dots=coords,
                latest=latest,
            )
        )
        legend_y += LEGEND_LINE * (len(wrapped) + 1) + LEGEND_GAP
    x_ticks = [Tick(x_of(day), day.strftime("%-d %b")) for day in _month_ticks(starts, ends)]
    if not x_ticks or x_ticks[-1].at < PLOT_RIGHT - 40:
        x_ticks.append(Tick(x_of(ends), ends.strftime("%-d %b")))
    y_ticks = tuple(Tick(y_of(share / 100), f"{share}%") for share in (0, 25, 50, 75, 100))
    marker = None
    if today is not None and starts <= today <= ends:
        marker = x_of(today)
    return ChartLayout(
        title=_short(data.title, 70),
        subtitle=_short(data.subtitle, 120),
        width=WIDTH,
        height=HEIGHT,
        left=PLOT_LEFT,
        top=PLOT_TOP,
        right=PLOT_RIGHT,
        bottom=PLOT_BOTTOM,
        x_ticks=tuple(x_ticks),
        y_ticks=y_ticks,
        pace=(x_of(starts), y_of(0.0), x_of(ends), y_of(1.0)),
        today=marker,
        lines=tuple(lines),
        more_y=legend_y,
        more=max(len(series) - MAX_SERIES, 0),
    )


def render_progress_chart(data: ChartData) -> bytes:
    """The PNG (1600 × 900) of each objective's progress over the period, with the pace line."""
    return render_document_png("progress.html.j2", scale=CHART_SCALE, chart=layout_chart(data))


def chart_alt_text(
    series: Mapping[str, Sequence[tuple[date, float]]], *, expected: float, limit: int = 1000
) -> str:
    """What a screen reader says instead: each objective's latest progress against the pace."""
    parts = [f"Progress by objective; expected by now {round(expected * 100)}%."]
    for label, points in series.items():
        latest = max(points)[1] if points else None
        said = f"{round(latest * 100)}%" if latest is not None else "no check-in yet"
        parts.append(f"{_short(label, 80)}: {said}.")
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
