"""Charts for evaluation reports, drawn as inline SVG by optolab itself (no plotting library needed)."""

from optolab.evals.plots.svg import bar_chart, histogram, nice_ticks

__all__ = ["bar_chart", "histogram", "nice_ticks"]
