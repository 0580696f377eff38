"""New customer and Edit customer pages, over channel.services.customers (who may file a
customer under which seller, 撞单 prevention, audit) and the province → city → district
chooser's data. Registered on the sales blueprint."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.domain.errors import DomainError
from channel.i18n import error_text
from channel.permissions import allow
from channel.sales.customer_forms import CustomerForm
from channel.sales.views import bp
from channel.services import customers as customers_service
from channel.services.access import CUSTOMER_FILERS, require_customer_editor
from channel.web import record_id
from models.territory import COUNTRY_ID

# the services' field names → the form's
FORM_FIELD = {"district_id": "district", "owner_seller_id": "owner"}


@bp.app_context_processor
def _customer_links():
    return {"may_add_customers": customers_service.may_add_customers,
            "may_edit_customer": customers_service.may_edit_customer}


@bp.route("/customers/new", methods=["GET", "POST"])
@allow(*CUSTOMER_FILERS)
def customer_new():
    form = CustomerForm()
    if request.method == "GET":
        form.owner.data = customers_service.default_owner_code(current_user)
    return _customer_form(form, None)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@allow(*CUSTOMER_FILERS)
def customer_edit(customer_id: int):
    customer = require_customer_editor(current_user, customer_id)
    form = CustomerForm(obj=customer if request.method == "GET" else None)
    if request.method == "GET":
        form.district.data, form.owner.data = str(customer.district_id), customer.owner.code
    return _customer_form(form, customer)


def _customer_form(form: CustomerForm, customer):
    """Save on a valid POST and go to the customer's page; else the form again: 400 with every
    problem beside its field (and the look-alikes, or the customer holding the credit code)."""
    look_alikes = taken = None
    if form.validate_on_submit():
        fields = customers_service.CustomerFields(
            name=form.name.data, district_id=int(form.district.data), owner_code=form.owner.data,
            credit_code=form.credit_code.data, phone=form.phone.data, contact_name=form.contact_name.data,
            address=form.address.data)
        try:
            if customer is None:
                saved = customers_service.add_customer(current_user, fields, save_anyway=form.save_anyway.data)
                flash(_("已添加客户。"), "success")
            else:
                changed = customers_service.edit_customer(current_user, customer.id, fields,
                                                          save_anyway=form.save_anyway.data)
                saved = customer
                flash(_("已保存。") if changed else _("没有改动。"), "success" if changed else "info")
            return redirect(url_for("sales.customer", customer_id=saved.id))
        except customers_service.LikelyDuplicates as duplicates:
            look_alikes = duplicates
            form.save_anyway.errors = [error_text(duplicates)]
        except DomainError as error:
            taken = getattr(error, "customer", None)
            field = getattr(form, FORM_FIELD.get(error.field, error.field or ""), None) or form.name
            field.errors = list(field.errors) + [error_text(error)]
    status = 400 if request.method == "POST" else 200
    return render_template("sales/customer_form.html", form=form, customer=customer, look_alikes=look_alikes,
                           taken=taken, chosen=customers_service.chosen_divisions(_district_code(form)),
                           country_id=COUNTRY_ID), status


def _district_code(form: CustomerForm) -> int | None:
    text = form.district.data or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) == 6 else None


@bp.route("/customers/divisions.json")
@allow(*CUSTOMER_FILERS)
def customer_divisions():
    """The chooser's options under `parent` (default: the provinces), as [[code, name, level]]."""
    try:
        parent = record_id(request.args.get("parent", COUNTRY_ID))
    except ValueError:
        abort(400)
    response = jsonify(customers_service.divisions_under(parent))
    response.cache_control.private = True
    response.cache_control.max_age = 86400  # the divisions change with a migration, not by day
    return response
