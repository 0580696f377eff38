"""Charts of the selling feature, drawn like channel/charts.py (pygal SVG, no script):
counts (not money) over weeks, and a Pareto chart (profit bars with the cumulative share)."""
from __future__ import annotations

import pygal
from markupsafe import Markup

from channel.charts import bar, chart_config, pie, render, yuan  # noqa: F401 - re-exported for the views


def count_line(title: str, categories: list[str], series: dict[str, list[int]]) -> Markup:
    chart = pygal.Line(**chart_config(title=title, x_label_rotation=20))
    chart.x_labels = categories
    for name, values in series.items():
        chart.add(name, values)
    return render(chart)


def count_bar(title: str, categories: list[str], series: dict[str, list[int]]) -> Markup:
    chart = pygal.Bar(**chart_config(title=title, x_label_rotation=20))
    chart.x_labels = categories
    for name, values in series.items():
        chart.add(name, values)
    return render(chart)


def pareto(title: str, curve: list[tuple[int, int]], *, share_label: str) -> Markup:
    """The 80/20 curve: x = top N% of customers by gross profit, y = their share of the
    total gross profit in percent."""
    chart = pygal.Line(**chart_config(title=title, range=(0, 100), fill=True, show_dots=True))
    chart.x_labels = [f"{pct}%" for pct, _ in curve]
    chart.add(share_label, [bp / 100 for _, bp in curve])
    return render(chart)
