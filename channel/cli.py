"""`flask --app app ...` commands. They call the same services as the views."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date

import click
from flask import Flask
from flask.cli import with_appcontext

from channel.domain.errors import DomainError
from channel.domain.paging import MAX_ID

# An id argument of a command: out of range is a usage error (exit 2), never an SQL overflow.
ROW_ID = click.IntRange(1, MAX_ID)


class _Day(click.ParamType):
    """A business date argument (YYYY-MM-DD), read by periods.parse_day (the app's one day rule,
    years 1900-2999): a bad one is a usage error naming the option."""

    name = "date"

    def convert(self, value, param, ctx) -> date:
        from channel.domain.periods import parse_day

        if isinstance(value, date):
            return value
        try:
            return parse_day(value)
        except DomainError as error:
            self.fail(str(error), param, ctx)


DAY = _Day()


def fail(error: DomainError) -> None:
    """End a command on a refusal: one line on stderr, exit 1 (never a traceback)."""
    click.echo(f"Error: {error}", err=True)
    sys.exit(1)


def shown_time(value) -> str:
    """A naive-UTC timestamp as the commands print it: to the minute, in Beijing time with its
    offset stated (`2026-10-05 14:03 UTC+0800`; channel.web.local_time, the pages' rule); '-'
    for none."""
    from channel.web import local_time

    return local_time(value, "%Y-%m-%d %H:%M UTC%z") if value else "-"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and its noun in good English: '1 row', '2 rows', '1,200 rows' (the count grouped as
    the pages' `number` filter groups it: channel.web.format_count)."""
    from channel.web import format_count

    return f"{format_count(n)} {noun if n == 1 else plural or noun + 's'}"


def shown_label(label_of: Callable | Mapping, *code) -> str:
    """A stored code (a status, a kind, a rule) as the pages show it, printed in the commands'
    language, English: `label_of` is the pages' own label — a function
    (channel.payouts.labels.batch_status_label), a mapping of lazy labels
    (channel.conflicts.forms.RULE_LABELS) or a template macro (`label_macro`) — so the
    commands never keep labels of their own. An unknown code is printed as it is."""
    from flask_babel import force_locale

    with force_locale("en"):
        if isinstance(label_of, Mapping):
            return str(label_of.get(code[0], code[0]))
        return str(label_of(*code)).strip()


def label_macro(template: str, name: str) -> Callable:
    """A label macro of the pages' templates (commissions/_labels.html: kind_label), for
    `shown_label`."""
    from flask import get_template_attribute

    return get_template_attribute(template, name)


def echo_list(lines: Iterable[str], empty: str) -> None:
    """Print a list command's lines, or the one line `empty` when there are none (a list that
    prints nothing reads as a command that did nothing)."""
    printed = False
    for line in lines:
        click.echo(line)
        printed = True
    if not printed:
        click.echo(empty)


def open_output(path: str, mode: str = "w", **kwargs):
    """`open(path, mode)` for a file a command writes; a path that cannot be written ends the
    command with one line and exit 1 (never a traceback)."""
    try:
        return open(path, mode, **kwargs)
    except OSError as error:
        click.echo(f"Error: cannot write {path}: {error.strerror or error}", err=True)
        sys.exit(1)


@click.command("demo")
@click.option("--agents", default=400, show_default=True, help="Number of agents in the pyramid.")
@click.option("--orders", default=20000, show_default=True, help="Number of order lines over twelve months.")
@click.option("--seed", default=7, show_default=True, help="Same seed, same data.")
@click.option("--until", type=DAY, default=None,
              help="Last day of the twelve months (default: today).")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when the database has data.")
@click.option("--bare", is_flag=True, help="Only the company: no selling activities, no commission runs, no payout batches.")
@with_appcontext
def demo_command(agents: int, orders: int, seed: int, until, if_empty: bool, bare: bool) -> None:
    """Load the demo company into an empty database and print the demo logins."""
    from channel.services import demo

    if not demo.is_empty():
        if if_empty:
            click.echo("Database already has data; demo not loaded.")
            _print_logins()
            return
        fail(DomainError("the database already has data; the demo loads only into an empty database"))
    started = time.perf_counter()

    def progress(table: str, count: int) -> None:
        click.echo(f"\r  {table:<16} {count:>10,}", nl=False)

    day = until
    counts = demo.load_demo(agents=agents, orders=orders, seed=seed, until=day, progress=progress)
    click.echo("")
    if not bare:
        counts.update(demo.load_extras(until=day, progress=progress))
        click.echo("")
    for table, count in counts.items():
        click.echo(f"  {table:<16} {count:>10,}")
    click.echo(f"Demo company loaded in {time.perf_counter() - started:.1f} s.")
    _print_logins()


def _print_logins() -> None:
    from channel.services.demo import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(u[0] for u in DEMO_USERS))


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
