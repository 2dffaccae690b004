"""Server-rendered bar charts: geometry here, markup in templates/macros/charts.html.

Charts carry no information a table doesn't: every page that draws one also shows the numbers
as a table, so screen-reader users and people who can't tell colours apart get the same facts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

PLOT_WIDTH = 100     # viewBox units of each bar's SVG, which stretches to the width it is given
SERIES_COUNT = 5     # .chart-series-1 … -5 in app.css


@dataclass(frozen=True)
class Series:
    key: str
    label: str


@dataclass
class Segment:
    series: Series
    value: float
    x: float = 0
    width: float = 0
    css: str = ""


@dataclass
class Bar:
    label: str
    values: dict[str, float]
    marker: float | None = None       # e.g. the viewer's own municipality, drawn as a line
    marker_label: str = ""
    highlight: bool = False
    total_label: str | None = None    # text after the bar; defaults to the total
    segments: list[Segment] = field(default_factory=list)
    marker_x: float | None = None

    @property
    def total(self) -> float:
        return sum(self.values.values())


@dataclass
class BarChart:
    series: list[Series]
    bars: list[Bar]
    max_value: float
    plot_width: float = PLOT_WIDTH

    def css_for(self, series: Series) -> str:
        return f"chart-series-{self.series.index(series) % SERIES_COUNT + 1}"


def bar_chart(series: list[Series], bars: list[Bar], max_value: float | None = None) -> BarChart:
    """Lay out horizontal (optionally stacked) bars. ``max_value`` fixes the scale, e.g. 4 for a 1–4 score."""
    top = max_value if max_value else max([bar.total for bar in bars] + [0]) or 1
    chart = BarChart(series=series, bars=bars, max_value=top)
    scale = chart.plot_width / top
    for bar in bars:
        x = 0.0
        bar.segments = []
        for one in series:
            value = bar.values.get(one.key, 0) or 0
            width = value * scale
            bar.segments.append(Segment(one, value, x, width, chart.css_for(one)))
            x += width
        if bar.marker is not None:
            bar.marker_x = bar.marker * scale
    return chart
