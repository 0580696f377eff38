"""The dashboard: both channels side by side, this month against last month."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from channel.permissions import ANY_USER, allow

from channel import charts
from channel.domain.periods import Month
from channel.domain.selling_kpi import shanghai_day
from channel.i18n import level_name
from channel.services import reports
from models import utcnow

bp = Blueprint("dashboard", __name__)


def _month_arg() -> Month:
    try:
        return Month.parse(request.args["month"])
    except Exception:  # noqa: BLE001 - a missing or malformed month means "this month"
        return Month.of(shanghai_day(utcnow()))  # this month in Beijing, whatever the server's zone


@bp.route("/")
@allow(ANY_USER)
def index():
    month = _month_arg()
    previous = month.previous()
    now = reports.sales_by_channel(current_user, month)
    before = reports.sales_by_channel(current_user, previous)
    channel_names = {"direct": _("直销"), "agent": _("代理")}
    by_level_now = reports.sales_by_level(current_user, month)
    by_level_before = reports.sales_by_level(current_user, previous)
    provinces = reports.sales_by_province(current_user, month)

    def draw() -> tuple:
        levels = sorted(set(by_level_now) | set(by_level_before))
        return (
            charts.bar(
                _("两个渠道的销售额（元）"),
                [channel_names["direct"], channel_names["agent"]],
                {
                    str(previous): [before.get("direct", 0), before.get("agent", 0)],
                    str(month): [now.get("direct", 0), now.get("agent", 0)],
                },
            ),
            charts.bar(
                _("代理各层级销售额（元）"),
                [level_name("agent", lv) for lv in levels],
                {
                    str(previous): [by_level_before.get(lv, 0) for lv in levels],
                    str(month): [by_level_now.get(lv, 0) for lv in levels],
                },
            ),
            charts.bar(
                _("各省销售额（元）"),
                [name for name, _total in provinces],
                {str(month): [total for _name, total in provinces]},
                horizontal=True,
            ),
        )

    # the SVGs are drawn from the cached figures, so they are cached with them (per language)
    channels_chart, level_chart, province_chart = reports.cached(current_user, f"charts-{get_locale()}", month, draw)
    return render_template(
        "dashboard/index.html",
        month=month,
        previous=previous,
        now=now,
        before=before,
        channel_names=channel_names,
        channels_chart=channels_chart,
        level_chart=level_chart,
        province_chart=province_chart,
        provinces=provinces,
        by_level_now=by_level_now,
        top=reports.top_sellers(current_user, month),
    )
