"""Charts of the selling feature, drawn like channel/charts.py (pygal SVG, no script):
counts (not money) over weeks, and a Pareto chart (profit bars with the cumulative share)."""
from __future__ import annotations

import pygal
from markupsafe import Markup

from channel.charts import _config, _render, bar, pie, yuan  # noqa: F401 - re-exported for the views


def count_line(title: str, categories: list[str], series: dict[str, list[int]]) -> Markup:
    chart = pygal.Line(**_config(title=title, x_label_rotation=20))
    chart.x_labels = categories
    for name, values in series.items():
        chart.add(name, values)
    return _render(chart)


def count_bar(title: str, categories: list[str], series: dict[str, list[int]]) -> Markup:
    chart = pygal.Bar(**_config(title=title, x_label_rotation=20))
    chart.x_labels = categories
    for name, values in series.items():
        chart.add(name, values)
    return _render(chart)


def pareto(title: str, names: list[str], profits_fen: list[int], cumulative_bp: list[int], *,
           profit_label: str, share_label: str) -> Markup:
    """Bars: gross profit (yuan) per customer, largest first; line on a secondary axis: the
    cumulative share of total profit in percent."""
    chart = pygal.Bar(**_config(title=title, x_label_rotation=30, truncate_label=8))
    chart.x_labels = names
    chart.add(profit_label, [yuan(v) for v in profits_fen])
    chart.add(share_label, [bp / 100 for bp in cumulative_bp], secondary=True)
    return _render(chart)
