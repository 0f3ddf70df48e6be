"""Trend charts as plain SVG geometry, drawn on the server: no JavaScript, no CDN.

A chart shows an indicator's values in force against its planned path from the
baseline to the target, on axes with dates and values, with the norm bands
(where "at risk" and "off track" begin), the target marked and the values
labelled; pages always print the same data as a table beside it. The geometry
is computed here; `templates/monitor/_parts.html` draws it.
"""

import math
from dataclasses import dataclass
from datetime import date

from ..models import Direction

LEFT, RIGHT, TOP, BOTTOM = 44, 12, 10, 22  # room for the value axis on the left and the years below
DRAWABLE = 1e12  # as the forms' DECIMAL_MAX: a value beyond it is drawn at the edge (the table prints it as it is)
MAX_LABELS = 12  # more values than this: only every n-th, the first and the last are labelled


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    period: date
    value: float
    labelled: bool = True


@dataclass(frozen=True)
class Band:
    """Where a norm's values lie: from `y` down `height` pixels; `kind` is at_risk or off_track."""

    kind: str
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    plan: tuple[float, float, float, float]
    top: float
    bottom: float
    value_ticks: list[tuple[float, float]]  # (y, value)
    year_ticks: list[tuple[float, int]]  # (x, year)
    bands: list[Band]
    target: tuple[float, float]
    left: int = LEFT
    right_edge: int = 0
    bottom_edge: int = 0

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _nice_step(span: float, count: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about `count` parts; 1 for a span
    too small or too large to cut."""
    raw = span / count
    if not (1e-300 < raw < 1e300):
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), raw)


def _drawable(value: float) -> float:
    """A value within what the forms accept, so the axis arithmetic stays finite for any stored number."""
    return max(-DRAWABLE, min(DRAWABLE, value))


def _norms(indicator) -> list[float]:
    return [
        v
        for v in (getattr(indicator, "norm_at_risk", None), getattr(indicator, "norm_off_track", None))
        if v is not None
    ]


def trend(indicator, values: list[tuple[date, float]], width: int = 480, height: int = 200) -> Chart:
    """Place the values, the planned path, the norms and the axes in a box of `width` by `height` pixels. Works for
    any indicator with a baseline, a target, a direction and optional norms (a coalition's or the city's)."""
    values = sorted(values)
    first = min([indicator.baseline_date] + [d for d, _v in values])
    last = max([indicator.target_date] + [d for d, _v in values])
    numbers = [_drawable(v) for v in [indicator.baseline_value, indicator.target_value, *_norms(indicator)]]
    numbers += [_drawable(v) for _d, v in values]
    step = _nice_step((max(numbers) - min(numbers)) or abs(max(numbers)) or 1)
    low, high = math.floor(min(numbers) / step) * step, math.ceil(max(numbers) / step) * step
    if high == low:
        low, high = low - step, high + step

    span_days = max((last - first).days, 1)
    right, bottom = width - RIGHT, height - BOTTOM

    def x(day: date) -> float:
        return LEFT + (day - first).days / span_days * (right - LEFT)

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - TOP)

    every = max(1, math.ceil(len(values) / MAX_LABELS))
    points = [
        Point(x(d), y(_drawable(v)), d, v, i % every == 0 or i == len(values) - 1) for i, (d, v) in enumerate(values)
    ]
    ticks = [low + i * step for i in range(int(round((high - low) / step)) + 1)]
    years = list(range(first.year + (first > date(first.year, 1, 1)), last.year + 1))
    year_step = max(1, math.ceil(len(years) / 8))
    return Chart(
        width=width,
        height=height,
        points=points,
        plan=(
            x(indicator.baseline_date),
            y(_drawable(indicator.baseline_value)),
            x(indicator.target_date),
            y(_drawable(indicator.target_value)),
        ),
        top=high,
        bottom=low,
        value_ticks=[(y(t), t) for t in ticks],
        year_ticks=[(x(date(year, 1, 1)), year) for year in years[::year_step]],
        bands=_bands(indicator, y, low, high),
        target=(x(indicator.target_date), y(_drawable(indicator.target_value))),
        right_edge=right,
        bottom_edge=bottom,
    )


def _bands(indicator, y, low: float, high: float) -> list[Band]:
    """The stretches of the value axis where the status is "at risk" and "off track" by the norms."""
    at_risk, off_track = (
        _drawable(v) if v is not None else None
        for v in (getattr(indicator, "norm_at_risk", None), getattr(indicator, "norm_off_track", None))
    )
    worse_edge = low if indicator.direction == Direction.higher_is_better else high
    found = []
    if off_track is not None:
        found.append(("off_track", off_track, worse_edge))
    if at_risk is not None:
        found.append(("at_risk", at_risk, off_track if off_track is not None else worse_edge))
    bands = []
    for kind, start, end in found:
        top, foot = y(max(start, end)), y(min(start, end))
        if foot - top > 0:
            bands.append(Band(kind, top, foot - top))
    return bands
