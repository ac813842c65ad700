"""A chart of a plan's progress over time, one line per objective against the expected pace.

Built from plain data (dates and fractions), so neither the plan's tables nor Slack are needed
to draw it: the Slack side hands over each objective's history and gets a PNG back. It is laid
out here in points and drawn with Pillow in the draft pictures' typeface (Inter) and colours:
a digest must be ready in well under a second, and a PDF round trip through WeasyPrint cost
more than that for a handful of lines.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from drafting.pictures.engine import inter_files

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
    chart = layout_chart(data)
    canvas = _Canvas(chart.width, chart.height)
    _draw_axes(canvas, chart)
    for line in chart.lines:
        if len(line.dots) > 1:
            canvas.polyline(line.dots, line.colour, width=2.4)
        for index, (x, y) in enumerate(line.dots):
            last = index == len(line.dots) - 1
            canvas.dot(x, y, 3.6 if last else 2.4, line.colour, ring=1.2 if last else 0.8)
    _draw_legend(canvas, chart)
    return canvas.png()


INK, MUTED, FAINT, GRID, AXIS = "#1d2433", "#5b6474", "#6b7385", "#e3e6ec", "#aab1bd"
PACE = "#8a91a0"
# Drawn at twice the output size and scaled down: Pillow's lines are not anti-aliased.
SUPERSAMPLE = 2


@cache
def _font(size_pt: float, weight: int = 400, italic: bool = False) -> ImageFont.FreeTypeFont:
    px = round(size_pt * CHART_SCALE * SUPERSAMPLE)
    path = inter_files().get(("italic" if italic else "normal", weight))
    if path is None:  # no Inter on this machine: Pillow's own sans still reads
        return ImageFont.load_default(size=px)  # type: ignore[return-value]
    return ImageFont.truetype(str(path), px)


class _Canvas:
    """Points in, supersampled pixels underneath."""

    def __init__(self, width: float, height: float) -> None:
        self.k = CHART_SCALE * SUPERSAMPLE
        self.image = Image.new("RGB", (round(width * self.k), round(height * self.k)), "white")
        self.draw = ImageDraw.Draw(self.image)

    def _p(self, x: float, y: float) -> tuple[float, float]:
        return x * self.k, y * self.k

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float) -> None:
        self.draw.line([self._p(x1, y1), self._p(x2, y2)], fill=colour, width=round(width * self.k))

    def dashed(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        colour: str,
        width: float,
        on: float,
        off: float,
    ) -> None:
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1.0
        step, at = on + off, 0.0
        while at < length:
            end = min(at + on, length)
            a, b = at / length, end / length
            self.line(
                x1 + (x2 - x1) * a,
                y1 + (y2 - y1) * a,
                x1 + (x2 - x1) * b,
                y1 + (y2 - y1) * b,
                colour,
                width,
            )
            at += step

    def polyline(self, points: Sequence[tuple[float, float]], colour: str, width: float) -> None:
        self.draw.line(
            [self._p(x, y) for x, y in points],
            fill=colour,
            width=round(width * self.k),
            joint="curve",
        )
        for x, y in (points[0], points[-1]):  # round caps
            self.dot(x, y, width / 2, colour)

    def dot(self, x: float, y: float, r: float, colour: str, ring: float = 0.0) -> None:
        cx, cy = self._p(x, y)
        outer = (r + ring) * self.k
        if ring:
            self.draw.ellipse([cx - outer, cy - outer, cx + outer, cy + outer], fill="white")
        inner = r * self.k
        self.draw.ellipse([cx - inner, cy - inner, cx + inner, cy + inner], fill=colour)

    def rect(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        self.draw.rectangle([self._p(x, y), self._p(x + w, y + h)], fill=colour)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        colour: str = INK,
        weight: int = 400,
        italic: bool = False,
        anchor: str = "ls",
        spacing: float = 0.0,
    ) -> None:
        """`y` is the baseline, as in SVG; anchor "ls", "ms" or "rs" (left, middle, right)."""
        font = _font(size, weight, italic)
        if spacing:  # letter-spaced small capitals, drawn one letter at a time
            at = x
            for char in text:
                self.draw.text(self._p(at, y), char, font=font, fill=colour, anchor="ls")
                at += font.getlength(char) / self.k + spacing
            return
        self.draw.text(self._p(x, y), text, font=font, fill=colour, anchor=anchor)

    def png(self) -> bytes:
        # A 2 × 2 box average: the anti-aliasing, at a fifth of a Lanczos filter's cost.
        image = self.image.reduce(SUPERSAMPLE)
        out = io.BytesIO()
        # Flat colours compress well even at a low level; higher levels only cost time.
        image.save(out, format="PNG", compress_level=3)
        return out.getvalue()


def _draw_axes(c: _Canvas, chart: ChartLayout) -> None:
    c.text(chart.left - 30, 34, chart.title, size=17, weight=700)
    c.text(chart.left - 30, 53, chart.subtitle, size=9.5, colour=MUTED)
    for index, tick in enumerate(chart.y_ticks):
        first = index == 0
        c.line(
            chart.left,
            tick.at,
            chart.right,
            tick.at,
            AXIS if first else GRID,
            0.9 if first else 0.6,
        )
        c.text(chart.left - 8, tick.at + 3, tick.label, size=8, colour=FAINT, anchor="rs")
    for tick in chart.x_ticks:
        c.line(tick.at, chart.bottom, tick.at, chart.bottom + 4, AXIS, 0.8)
        c.text(tick.at, chart.bottom + 16, tick.label, size=8, colour=FAINT, anchor="ms")
    x1, y1, x2, y2 = chart.pace
    c.dashed(x1, y1, x2, y2, PACE, 1.2, 5, 4)
    if chart.today is not None:
        c.dashed(chart.today, chart.top - 6, chart.today, chart.bottom, "#3b4358", 0.8, 1.5, 2.5)
        c.text(
            chart.today,
            chart.top - 10,
            "today",
            size=7.5,
            colour="#3b4358",
            weight=600,
            anchor="ms",
        )


def _draw_legend(c: _Canvas, chart: ChartLayout) -> None:
    left = chart.right + 28
    c.text(left, chart.top + 4, "OBJECTIVES · NOW", size=7.5, colour=MUTED, weight=600, spacing=0.9)
    for line in chart.lines:
        y = line.legend_y
        c.rect(left, y - 6, 14, 4, line.colour)
        for index, text in enumerate(line.label):
            c.text(left + 20, y + index * LEGEND_LINE, text, size=9)
        c.text(
            left + 20,
            y + len(line.label) * LEGEND_LINE + 1,
            line.latest,
            size=9,
            colour=line.colour,
            weight=700,
        )
    if chart.more:
        plural = "s" if chart.more != 1 else ""
        c.text(left, chart.more_y, f"+ {chart.more} more objective{plural}", size=9)
    c.dashed(left, chart.bottom - 10, left + 14, chart.bottom - 10, PACE, 1.2, 3, 2)
    c.text(left + 20, chart.bottom - 7, "Expected pace", size=9)
    c.text(
        chart.width - 22,
        chart.height - 18,
        "alignbot",
        size=7,
        colour="#3b4358",
        weight=600,
        anchor="rs",
    )


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
