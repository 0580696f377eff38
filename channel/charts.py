"""Server-rendered SVG charts (pygal): no JavaScript, no CDN, they print and work offline."""
from __future__ import annotations

import re

import pygal
from markupsafe import Markup
from pygal.style import Style

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif",
    colors=("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997"),
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
    title_font_size=14,
)


def chart_config(**kwargs) -> dict:
    base = dict(
        style=STYLE,
        js=[],  # pygal's tooltips load a script from the internet; we draw plain SVG
        disable_xml_declaration=True,
        explicit_size=False,
        height=280,
        width=640,
        print_values=False,
        legend_at_bottom=True,
        value_formatter=axis_yuan,
        truncate_label=-1,
    )
    base.update(kwargs)
    return base


def axis_yuan(value: float, largest: float | None = None) -> str:
    """Axis labels: yuan with separators, shortened once the numbers get long — in 万 (10,000)
    in Chinese, in K / M in English. The unit follows `largest` (the chart's largest amount; the
    value itself when not given), so one axis reads 0, 50K, 100K, 150K, never 90,000 beside 100K."""
    if value is None:
        return ""
    from flask_babel import get_locale

    chinese = str(get_locale() or "zh").startswith("zh")
    scale = abs(value if largest is None else largest)
    if value == 0:
        return "0"
    if chinese and scale >= 100000:
        return f"{_decimals(value / 10000, 2)}万"
    if not chinese and scale >= 1_000_000:
        return f"{_decimals(value / 1_000_000, 1)}M"
    if not chinese and scale >= 100000:
        return f"{_decimals(value / 1000, 1)}K"
    return f"{value:,.0f}"


def _decimals(number: float, places: int) -> str:
    """1,234.5 with at most `places` decimals, no trailing zeros (2.5, 10, not 10.0)."""
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def yuan_axis(series: dict[str, list[int]]):
    """The value formatter of a chart of these amounts in fen: axis_yuan in the unit of the largest."""
    largest = max((abs(yuan(v)) for values in series.values() for v in values if v is not None), default=0)
    return lambda value: axis_yuan(value, largest)

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def render(chart) -> Markup:
    # pygal always embeds a small config <script> for its tooltips (which we do not load); the
    # Content-Security-Policy forbids inline scripts, so it is dropped rather than blocked
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


def yuan(fen: int) -> float:
    """For chart geometry only (bar lengths), never for money shown as text."""
    return fen / 100


def bar(title: str, categories: list[str], series: dict[str, list[int]], horizontal: bool = False) -> Markup:
    cls = pygal.HorizontalBar if horizontal else pygal.Bar
    extra = {"height": 60 + 22 * max(len(categories), 4), "x_label_rotation": 30} if horizontal else {"x_label_rotation": 20}
    chart = cls(**chart_config(title=title, value_formatter=yuan_axis(series), **extra))
    chart.x_labels = categories
    for name, values in series.items():
        chart.add(name, [yuan(v) for v in values])
    return render(chart)


def line(title: str, categories: list[str], series: dict[str, list[int]]) -> Markup:
    chart = pygal.Line(**chart_config(title=title, x_label_rotation=20, value_formatter=yuan_axis(series)))
    chart.x_labels = categories
    for name, values in series.items():
        chart.add(name, [yuan(v) for v in values])
    return render(chart)


def pie(title: str, parts: dict[str, int]) -> Markup:
    chart = pygal.Pie(**chart_config(title=title, inner_radius=0.4))
    for name, value in parts.items():
        chart.add(name, value)
    return render(chart)


def text_width(text: str, font_px: float) -> float:
    """A generous estimate of how wide `text` is drawn at `font_px` (CJK and other wide characters
    one em, the rest 0.62 em): enough to tell whether a label fits a shape."""
    import unicodedata

    return sum(font_px if unicodedata.east_asian_width(ch) in "WF" else 0.62 * font_px for ch in text)


def pyramid_bands(labels: list[tuple[str, str]], *, width: int = 420, band_height: int = 56, font_px: int = 13) -> dict:
    """The pyramid's drawing (its width, its height, and its bands): trapezoids top first, one per
    (first line, second line) label, with polygon points and the two text baselines. A line wider than its band where it is drawn (the narrow
    top in English: "National agent · 1") gets `fit`, the width to squeeze it into (SVG
    textLength), instead of spilling white text onto the white page."""
    n = len(labels)
    flare = 1.2  # the top band's top edge is flare / (n + flare) of the base

    def edge(y: float) -> float:  # the pyramid's width at height y
        return width * (y / band_height + flare) / (n + flare)

    bands = []
    for i, lines in enumerate(labels):
        top, bottom = i * band_height, (i + 1) * band_height - 3
        texts = []
        for baseline, text in ((top + 22, lines[0]), (top + 40, lines[1])):
            room = edge(baseline - font_px) - 10  # the narrowest point of the line, less a margin
            texts.append({"y": baseline, "text": text, "fit": room if text_width(text, font_px) > room else None})
        bands.append({
            "points": " ".join(f"{x:g},{y:g}" for x, y in (
                ((width - edge(top)) / 2, top), ((width + edge(top)) / 2, top),
                ((width + edge(bottom)) / 2, bottom), ((width - edge(bottom)) / 2, bottom))),
            "texts": texts,
        })
    return {"width": width, "height": band_height * n + 4, "bands": bands}
