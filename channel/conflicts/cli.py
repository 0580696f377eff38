"""`flask --app app conflicts ...` commands: they call the same services as the pages."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from channel.cli import counted, fail, shown_label
from channel.domain.errors import DomainError

conflicts_cli = AppGroup("conflicts", help="Channel conflicts: detection scans.")


@conflicts_cli.command("scan")
@click.option("--period", required=True, help="The month to scan, YYYY-MM.")
def scan_command(period: str) -> None:
    """Run every conflict rule over the sell-out lines, code scans and registrations of PERIOD."""
    from channel.conflicts.forms import RULE_LABELS
    from channel.domain.periods import Month
    from channel.services.conflicts import scan_period

    started = time.perf_counter()
    try:
        result = scan_period(Month.parse(period))
    except DomainError as error:
        fail(error)
    for rule, count in sorted(result.hits.items()):
        click.echo(f"  {shown_label(RULE_LABELS, rule):<32} {count:>8,} new findings")
    click.echo(f"{counted(result.cases_opened, 'case')} opened, {counted(result.evidence_added, 'evidence row')} added "
               f"in {time.perf_counter() - started:.2f} s.")


def register(app: Flask) -> None:
    """At app start: the `conflicts` commands, and the feature's wiring into the others — each
    wired here only: rulings' effect on the commission run (channel/services/conflicts_pay.py),
    the conflict scan of imported and API-pushed order lines, and the import kinds for unit
    codes, code scans and customer registrations."""
    from channel.services import conflicts_pay
    from channel.services.conflicts import register_import_hook
    from channel.services.imports_conflicts import register_kinds

    app.cli.add_command(conflicts_cli)
    conflicts_pay.register()
    register_import_hook()
    register_kinds()
