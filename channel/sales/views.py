"""Customers and orders: filtered, keyset-paginated lists and detail pages."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from channel.permissions import ANY_USER, allow

from channel.sales.forms import ListFilterForm, OrderFilterForm
from channel.services import listing, sellers
from channel.services import orders as orders_service
from channel.services.access import require_customer, require_order, scope_orders
from models import db
from models.sales import SalesOrder

bp = Blueprint("sales", __name__)


def _filters(form: ListFilterForm) -> tuple[listing.Filters, bool]:
    """Filters from a validated form; the bool says whether the territory or the seller code was
    unknown (said beside its field: the list is then empty, the export 400)."""
    filters = listing.Filters()
    if not form.validate():
        return filters, False
    filters.territory_id = int(form.territory.data) if form.territory.data else None
    filters.channel = form.channel.data or None
    filters.text = form.q.data or None
    unknown = False
    if filters.territory_id is not None and not listing.territory_exists(filters.territory_id):
        form.territory.errors.append(_("没有这个行政区划。"))
        unknown = True
    if form.seller.data:
        seller = sellers.visible_by_code(current_user, form.seller.data)
        if seller is None:
            form.seller.errors.append(_("没有这个编码的销售方。"))
            unknown = True
        else:
            filters.seller_id = seller.id
    if isinstance(form, OrderFilterForm):
        filters.kind = form.kind.data or None
        filters.date_from = form.date_from.data
        filters.date_to = form.date_to.data
    return filters, unknown


@bp.route("/customers")
@allow(ANY_USER)
def customers():
    form = ListFilterForm(request.args)
    filters, unknown = _filters(form)
    page = listing.Page() if unknown or form.errors else listing.customers_page(
        current_user, filters, request.args.get("after"), size=50
    )
    return render_template("sales/customers.html", form=form, page=page)


@bp.route("/customers/<int:customer_id>")
@allow(ANY_USER)
def customer(customer_id: int):
    customer = require_customer(current_user, customer_id)
    orders = list(
        db.session.scalars(
            scope_orders(select_orders_of(customer_id), current_user)
            .order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc())
            .limit(50)
        )
    )
    return render_template("sales/customer.html", customer=customer, orders=orders)


def select_orders_of(customer_id: int):
    from sqlalchemy import select

    return select(SalesOrder).where(SalesOrder.customer_id == customer_id)


@bp.route("/orders")
@allow(ANY_USER)
def orders():
    form = OrderFilterForm(request.args)
    filters, unknown = _filters(form)
    page = listing.Page() if unknown or form.errors else listing.orders_page(
        current_user, filters, request.args.get("after"), size=50
    )
    return render_template("sales/orders.html", form=form, page=page)


@bp.route("/orders/<int:order_id>")
@allow(ANY_USER)
def order(order_id: int):
    order = require_order(current_user, order_id)
    returns = orders_service.returns_of_order(order.id)
    return render_template("sales/order.html", order=order, returns=returns,
                           returned_qty=orders_service.returned_by_line(returns),
                           returned_fen=sum(r.amount_fen for r in returns))


from channel.sales import order_entry  # noqa: E402,F401  (its routes are on `bp`)
