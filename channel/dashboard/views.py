"""The dashboard: both channels side by side, this month against last month."""
from __future__ import annotations


from flask import Blueprint, render_template, request
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from channel.permissions import ANY_USER, allow

from channel import charts
from channel.domain.periods import Month
from channel.domain.errors import DomainError
from channel.i18n import error_text, level_name
from channel.services import reports
from channel.services.clock import business_today

bp = Blueprint("dashboard", __name__)


def _month_arg() -> tuple[Month, str | None]:
    """The month asked for, or this month: with the reason when the one asked for is malformed
    (the page then says so beside the field and answers 400, showing this month)."""
    text = request.args.get("month") or ""
    if not text.strip():
        return Month.of(business_today()), None
    try:
        return Month.parse(text), None
    except DomainError as error:
        return Month.of(business_today()), error_text(error)


@bp.route("/")
@allow(ANY_USER)
def index():
    month, month_error = _month_arg()
    previous = month.previous()
    now = reports.sales_by_channel(current_user, month)
    before = reports.sales_by_channel(current_user, previous)
    channel_names = {"direct": _("直销"), "agent": _("代理")}
    # an agent or a rep sees nobody of the other channel: its figure would read ¥0.00, as if
    # that channel had sold nothing, so it is not shown (nor its levels)
    own_channel = current_user.seller.channel if current_user.seller_id else None
    channels = [own_channel] if own_channel else ["direct", "agent"]
    level_channel = own_channel or "agent"
    by_level_now = reports.sales_by_level(current_user, month, channel=level_channel)
    by_level_before = reports.sales_by_level(current_user, previous, channel=level_channel)
    provinces = reports.sales_by_province(current_user, month)

    def draw() -> tuple:
        levels = sorted(set(by_level_now) | set(by_level_before))
        return (
            charts.bar(
                _("两个渠道的销售额（元）") if len(channels) == 2 else _("%(channel)s销售额（元）", channel=channel_names[own_channel]),
                [channel_names[ch] for ch in channels],
                {
                    str(previous): [before.get(ch, 0) for ch in channels],
                    str(month): [now.get(ch, 0) for ch in channels],
                },
            ),
            charts.bar(
                _("代理各层级销售额（元）") if level_channel == "agent" else _("直销各层级销售额（元）"),
                [level_name(level_channel, lv) for lv in levels],
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
        # the labels say "this month" / "last month" only of this (Beijing) month
        is_this_month=month == Month.of(business_today()),
        now=now,
        before=before,
        channels=channels,
        channel_names=channel_names,
        channels_chart=channels_chart,
        level_chart=level_chart,
        province_chart=province_chart,
        provinces=provinces,
        by_level_now=by_level_now,
        top=reports.top_sellers(current_user, month),
        month_error=month_error,
    ), 400 if month_error else 200
