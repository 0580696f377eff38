"""Template filters and globals shared by every page."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timezone
from threading import Lock
from zoneinfo import ZoneInfo

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField, IntegerField
from wtforms.validators import StopValidation, ValidationError

from channel.domain.money import format_fen
from channel.i18n import level_name, role_name, user_role_name


def stripped(value):
    """A field filter: typed text without surrounding spaces (Optional() lets a blank " " through
    to the code that reads the field)."""
    return value.strip() if isinstance(value, str) else value


def plain_text(form, field) -> None:
    """A field validator: no control characters (`text.has_control_characters`)."""
    from channel.domain.text import has_control_characters

    if has_control_characters(field.data):
        raise ValidationError(_l("不能包含控制字符。"))


def day_in_range(form, field) -> None:
    """A date field's day within the years every filter allows (periods.check_day)."""
    from channel.domain.errors import DomainError
    from channel.domain.periods import check_day
    from channel.i18n import error_text

    if field.data is not None:
        try:
            check_day(field.data)
        except DomainError as error:
            raise ValidationError(error_text(error)) from None


def not_before(start_field: str):
    """A validator for the end of a date range: not before the form's `start_field` (an empty
    list with no word of why is what users got)."""
    def check(form, field) -> None:
        start = getattr(form, start_field).data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("结束日期不能早于开始日期。"))
    return check


SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A naive-UTC timestamp shown in Asia/Shanghai."""
    if value is None:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).strftime(fmt)


def query_args(*dropped: str) -> dict:
    """This request's query arguments that may go back into `url_for` as they are: without the
    `dropped` ones nor those `url_for` would take for its own (`endpoint`, `_method`,
    `_external`, … — `?_method=POST` would make the link a BuildError, a 500) or that clash with
    the route's own arguments."""
    taken = set(dropped) | set(request.view_args or ()) | {"endpoint"}
    return {key: value for key, value in request.args.to_dict(flat=True).items()
            if key not in taken and not key.startswith("_")}


def url_with(**changes) -> str:
    """This page's URL with some query arguments changed (None removes one)."""
    args = query_args()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def export_url(endpoint: str, fmt: str, extra: dict | None = None) -> str:
    """The export (`endpoint`, as `fmt`) of the list this page shows: the page's filters (not its
    paging cursors `after` / `before`, nor a stray `fmt`), then `extra` (None removes one)."""
    args = query_args("after", "before", "fmt")
    args.update(extra or {})
    return url_for(endpoint, fmt=fmt, **{key: value for key, value in args.items() if value is not None})


_MARKER = 918_273_645


def href_for(endpoint: str, arg: str):
    """A function value -> url_for(endpoint, **{arg: value}) for an <int:arg> route, made from one
    url_for call: the links of a list's rows are string formatting, not ~20 µs of routing each."""
    head, found, tail = url_for(endpoint, **{arg: _MARKER}).partition(str(_MARKER))
    if not found:
        raise ValueError(f"{endpoint} does not show {arg} in its path")
    return lambda value: f"{head}{int(value)}{tail}"


_FIELDS_HTML: OrderedDict = OrderedDict()
_FIELDS_HTML_SIZE = 512
_FIELDS_HTML_LOCK = Lock()  # gunicorn runs two threads per worker


def form_fields_html(form, *names: str, columns: bool = False) -> Markup:
    """Fields of `form` (those named, else all but the CSRF token) through the `field` macro
    (templates/_form_fields.html; `columns`: each in a filter-bar column), rendered once per form
    class, prefix, fields, language, values and errors, then reused: WTForms' rendering was a
    quarter of an orders-list request and a fifth of a seller page. Only for forms whose labels
    and choices are fixed by their class (the list filters, the seller page's forms)."""
    fields = [form[name] for name in names] if names else [f for f in form if f.type != "CSRFTokenField"]
    key = (type(form), form._prefix, columns, str(get_locale()),
           tuple((f.name, tuple(f.raw_data or ()), repr(f.data), tuple(str(e) for e in f.errors)) for f in fields))
    with _FIELDS_HTML_LOCK:
        hit = _FIELDS_HTML.get(key)
        if hit is not None:
            _FIELDS_HTML.move_to_end(key)
    if hit is None or current_app.debug or current_app.jinja_env.auto_reload:
        hit = Markup(render_template("_form_fields.html", fields=fields, columns=columns))
        with _FIELDS_HTML_LOCK:
            _FIELDS_HTML[key] = hit
            if len(_FIELDS_HTML) > _FIELDS_HTML_SIZE:
                _FIELDS_HTML.popitem(last=False)
    return hit


def with_reading_error(field_class, message):
    """`field_class` whose error for an unreadable value is `message`, and the only error then (a
    range or a missing value is for the validators and the domain to say, once there is a value):
    without this, DataRequired replaces the reading error of '2026-13-01' by "required" and
    NumberRange adds "must be between …" to the one of '1e10'."""

    class Field(field_class):
        def process_formdata(self, valuelist):
            if not valuelist or not str(valuelist[0]).strip():
                self.data = None  # nothing typed: not unreadable, missing (the validators say so)
                return
            try:
                super().process_formdata(valuelist)
            except ValueError:
                raise ValueError(message) from None

        def pre_validate(self, form):
            if self.process_errors:
                raise StopValidation()  # keeps the reading error, skips the validators
            super().pre_validate(form)

    return Field


DB_INTEGER_MAX = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL int4)


def record_id(value) -> int:
    """`coerce=` for a select of database ids: ASCII digits within DB_INTEGER_MAX, ValueError
    otherwise (a larger number overflowed the database driver: a 500). Pair it with the field's
    `invalid_value_message` / `invalid_choice_message`, else WTForms says "Invalid Choice: could
    not coerce." / "Not a valid choice."."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not text.isascii() or not text.isdigit():
            raise ValueError(value)
        number = int(text)
    if not 0 <= number <= DB_INTEGER_MAX:
        raise ValueError(value)
    return number


def format_count(number: int | None) -> str:
    """A count as people read it: 3,039 lines, 98,231 resellers (same in both languages)."""
    return "" if number is None else f"{number:,}"


# The form fields every feature uses for whole numbers and dates (Chinese msgids, clear errors).
WholeNumberField = with_reading_error(IntegerField, _l("请填写整数。"))
ReadableDateField = with_reading_error(DateField, _l("日期无效：请写成 YYYY-MM-DD 的有效日期。"))


def register(app: Flask) -> None:
    from channel.i18n import install_template_gettext

    install_template_gettext(app)
    app.jinja_env.filters["money"] = format_fen
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["number"] = format_count
    app.jinja_env.globals["level_name"] = level_name
    app.jinja_env.globals["role_name"] = role_name
    app.jinja_env.globals["user_role_name"] = user_role_name
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["export_url"] = export_url
    app.jinja_env.globals["href_for"] = href_for
    app.jinja_env.globals["form_fields_html"] = form_fields_html
    app.jinja_env.globals["get_locale"] = get_locale

    @app.context_processor
    def _globals():
        return {"languages": current_app.config["LANGUAGES"]}
