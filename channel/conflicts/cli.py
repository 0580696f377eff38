"""`flask --app app conflicts ...` commands: they call the same services as the pages."""
from __future__ import annotations

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from channel.domain.errors import DomainError

conflicts_cli = AppGroup("conflicts", help="Channel conflicts: detection scans.")


@conflicts_cli.command("scan")
@click.option("--period", required=True, help="The month to scan, YYYY-MM.")
def scan_command(period: str) -> None:
    """Run every conflict rule over the sell-out lines, code scans and registrations of PERIOD."""
    from channel.domain.periods import Month
    from channel.services.conflicts import scan_period

    started = time.perf_counter()
    try:
        result = scan_period(Month.parse(period))
    except DomainError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    for rule, count in sorted(result.hits.items()):
        click.echo(f"  {rule:<18} {count:>8,} new findings")
    click.echo(f"{result.cases_opened:,} cases opened, {result.evidence_added:,} evidence rows added "
               f"in {time.perf_counter() - started:.2f} s.")


def register(app: Flask) -> None:
    """At app start: the `conflicts` commands, and the effect of rulings on the commission run
    (the one place it is wired, see channel/services/conflicts_pay.py)."""
    from channel.services import conflicts_pay

    app.cli.add_command(conflicts_cli)
    conflicts_pay.register()
