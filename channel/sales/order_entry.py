"""Order entry (录入订单) and returns (退货) in the browser, on the sales blueprint: thin views over
channel.services.order_entry, which stores through the same `record_order` / `record_return` as
the imports and the API."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.domain.errors import N_, DomainError
from channel.domain.money import format_fen
from channel.i18n import error_text
from channel.permissions import allow
from channel.sales.order_forms import MORE_ROWS, OrderEntryForm, ReturnEntryForm, padded, read_lines
from channel.sales.views import bp
from channel.services import order_entry
from channel.services.clock import business_today
from channel.web import record_id
from models.sales import KIND_SELL_IN, KIND_SELL_OUT

KIND_LABELS = {KIND_SELL_OUT: N_("销售出库（卖给客户）"), KIND_SELL_IN: N_("进货（公司卖给代理）")}
# a refusal of store_order / record_order names its own input; the form's input of the same thing
ORDER_FIELDS = {"seller_id": "seller_code", "customer_id": "customer", "ship_to_district_id": "ship_to"}


@bp.app_context_processor
def _order_entry_links():
    return {"may_enter_orders": order_entry.may_enter_orders}


def _order_page(form, rows, status=200, lines_error=None, candidates=()):
    return render_template("sales/order_new.html", form=form, rows=rows, lines_error=lines_error,
                           candidates=candidates), status


@bp.route("/orders/new", methods=["GET", "POST"])
@allow(*order_entry.ENTRY_ROLES)
def new_order():
    """The order entry form. POST with `more` adds empty rows (nothing stored); a refusal
    re-renders the form (400) with every typed row and the error beside its input or row."""
    form = OrderEntryForm()
    form.kind.choices = [(kind, _(KIND_LABELS[kind])) for kind in order_entry.order_kinds(current_user)]
    if request.method == "GET":
        form.order_date.data = business_today()
        return _order_page(form, padded([]))
    order_entry.require_entry(current_user, request.form.get("kind", ""))  # sell-in for staff only: 403
    rows, lines_error = read_lines(request.form)
    if "more" in request.form:  # the customers to pick from stay, and the one picked
        found = _matches(form) if form.customer.validate(form) else []
        return _order_page(form, padded(rows, MORE_ROWS), candidates=found if len(found) > 1 else ())
    valid = form.validate_on_submit()
    customer_id, candidates = _customer_of(form)
    if not valid or lines_error or any(row.errors for row in rows) or form.customer.errors:
        return _order_page(form, padded(rows), 400, lines_error, candidates)
    try:
        order, warnings = order_entry.enter_order(
            current_user, order_no=form.order_no.data, kind=form.kind.data, seller_code=form.seller_code.data,
            customer_id=customer_id, order_date=form.order_date.data,
            ship_to_district_id=int(form.ship_to.data) if form.ship_to.data else None,
            lines=[order_entry.TypedLine(row.sku, row.qty, row.unit_price_fen) for row in rows])
    except DomainError as error:
        if error.status == 403:
            raise
        lines_error = _place_error(form, rows, error)
        return _order_page(form, padded(rows), 400, lines_error, candidates)
    flash(_("已录入订单 %(no)s。", no=order.order_no), "success")
    for warning in warnings:
        flash(_("第 %(n)s 行：单价 %(price)s 低于最低限价 %(floor)s（乱价），冲突扫描会标记它。", n=warning.line_no,
                price=format_fen(warning.unit_price_fen), floor=format_fen(warning.floor_fen)), "warning")
    return redirect(url_for("sales.order", order_id=order.id))


def _matches(form) -> list:
    """The customers the typed code or name finds in the user's scope (a sell-out's only)."""
    if form.kind.data != KIND_SELL_OUT or not form.customer.data:
        return []
    return order_entry.find_customers(current_user, form.customer.data)


def _customer_of(form):
    """(customer id, candidates): the customer the typed code or name finds in the user's scope;
    when it fits several, the one picked among them (`customer_pick`), else none and an error
    beside the field; the candidates are listed to pick from."""
    if form.kind.data != KIND_SELL_OUT or not form.customer.data or form.customer.errors:
        return None, ()
    found = _matches(form)
    if not found:
        form.customer.errors.append(_("没有这个客户。"))
        return None, ()
    if len(found) == 1:
        return found[0].id, ()
    try:
        picked = record_id(request.form.get("customer_pick", ""))
    except ValueError:
        picked = None
    if picked in {customer.id for customer in found}:
        return picked, found
    form.customer.errors.append(_("有多个客户符合，请选择一个（最多列出 %(n)s 个）。", n=order_entry.CUSTOMER_MATCHES))
    return None, found


def _place_error(form, rows, error: DomainError) -> str | None:
    """Put a refusal beside its input: a form field, a row (`lines[i]...`), else the lines as a
    whole (returned) or the order number."""
    name = error.field or "order_no"
    if name.startswith("lines["):
        index = int(name[6:name.index("]")])
        if 0 <= index < len(rows):
            rows[index].errors.append(error_text(error))
            return None
    if name == "lines":
        return error_text(error)
    field = getattr(form, ORDER_FIELDS.get(name, name), None) or form.order_no
    field.errors = list(field.errors) + [error_text(error)]
    return None


@bp.route("/orders/<int:order_id>/lines/<int:line_id>/return", methods=["GET", "POST"])
@allow(*order_entry.ENTRY_ROLES)
def new_return(order_id: int, line_id: int):
    """Record a return of one order line: the order's seller's scope (404 outside it)."""
    line = order_entry.require_line(current_user, order_id, line_id)
    form = ReturnEntryForm()
    if request.method == "GET":
        form.return_date.data = business_today()
    elif form.validate_on_submit():
        try:
            order_entry.enter_return(current_user, order_id=order_id, line_id=line_id, return_no=form.return_no.data,
                                     qty=form.qty.data, return_date=form.return_date.data, reason=form.reason.data)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            field = getattr(form, error.field or "", None) or form.return_no
            field.errors = list(field.errors) + [error_text(error)]
        else:
            flash(_("已记录退货 %(no)s。", no=form.return_no.data), "success")
            return redirect(url_for("sales.order", order_id=order_id))
    status = 400 if request.method == "POST" else 200
    return render_template("sales/return_new.html", form=form, line=line, order=line.order,
                           left=order_entry.returnable_qty(line)), status
