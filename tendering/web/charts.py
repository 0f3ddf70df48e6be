"""Trend charts as plain SVG geometry, drawn on the server: no JavaScript, no CDN.

A chart shows an indicator's values in force against its planned path from the
baseline to the target; pages always print the same data as a table beside it.
"""

from dataclasses import dataclass
from datetime import date

from ..models import Indicator


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    period: date
    value: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    plan: tuple[float, float, float, float]
    top: float
    bottom: float

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


PAD = 8


def trend(indicator: Indicator, values: list[tuple[date, float]], width: int = 320, height: int = 120) -> Chart:
    """Place the values and the planned path in a box of `width` by `height` pixels."""
    first = min([indicator.baseline_date] + [d for d, _v in values])
    last = max([indicator.target_date] + [d for d, _v in values])
    numbers = [indicator.baseline_value, indicator.target_value] + [v for _d, v in values]
    low, high = min(numbers), max(numbers)
    if high == low:
        low, high = low - 1, high + 1
    span_days = max((last - first).days, 1)

    def x(day: date) -> float:
        return PAD + (day - first).days / span_days * (width - 2 * PAD)

    def y(value: float) -> float:
        return height - PAD - (value - low) / (high - low) * (height - 2 * PAD)

    return Chart(
        width=width,
        height=height,
        points=[Point(x(d), y(v), d, v) for d, v in sorted(values)],
        plan=(
            x(indicator.baseline_date),
            y(indicator.baseline_value),
            x(indicator.target_date),
            y(indicator.target_value),
        ),
        top=high,
        bottom=low,
    )
