"""`flask --app app payouts ...`: the same services as the payouts pages.

    flask --app app payouts create --period 2026-10 [--minimum 100.00] [--user finance]
    flask --app app payouts list
    flask --app app payouts export BATCH_ID --file bank|payroll --format csv|xlsx -o OUT [--user finance]
    flask --app app payouts reconcile BATCH_ID
    flask --app app payouts hold-line LEDGER_LINE_ID --reason TEXT / release-line HOLD_ID
"""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from channel.cli import ROW_ID, counted, echo_list, fail, open_output, shown_label
from channel.domain.errors import DomainError
from channel.domain.money import format_fen, parse_amount_fen
from channel.web import format_count

payouts_cli = AppGroup("payouts", help="Payout batches: create, list, export, reconcile.")



def _user_id(username: str | None) -> int | None:
    if not username:
        return None
    from models import db
    from models.users import ROLE_ADMIN, ROLE_FINANCE, User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or user.role not in (ROLE_FINANCE, ROLE_ADMIN):
        fail(DomainError(f"no finance or admin user named {username!r}"))
    return user.id


@payouts_cli.command("create")
@click.option("--period", required=True, help="YYYY-MM: gathers unsettled lines of this period and earlier.")
@click.option("--minimum", default=None, help="Minimum payout in yuan (default PAYOUT_MINIMUM_FEN).")
@click.option("--user", "username", default=None, help="Finance user recorded as the maker (default: none, 'CLI').")
@with_appcontext
def create_command(period: str, minimum: str | None, username: str | None) -> None:
    """Create the draft batch for PERIOD, like the button on the payouts page."""
    from channel.payouts.labels import row_status_label
    from channel.services import payouts

    try:
        minimum_fen = parse_amount_fen(minimum, "minimum") if minimum else None
        batch = payouts.create_batch(period, _user_id(username), minimum=minimum_fen)
    except DomainError as error:
        fail(error)
    counts = payouts.row_counts(batch.id)
    click.echo(f"Draft batch #{batch.id} for {batch.period}: {counted(batch.payees, 'payee')}, total {format_fen(batch.total_fen)}"
               f" (tax {format_fen(batch.tax_fen)}, net {format_fen(batch.net_fen)}).")
    for status, (n, fen) in sorted(counts.items()):
        click.echo(f"  {shown_label(row_status_label, status):<28} {n:>8,}  {format_fen(fen)}")


@payouts_cli.command("list")
@with_appcontext
def list_command() -> None:
    """The latest 100 batches, newest first: id, period, status, payees, total."""
    from channel.payouts.labels import batch_status_label
    from channel.services import payouts

    echo_list((f"#{batch.id:<5} {batch.period} {shown_label(batch_status_label, batch.status):<18} {batch.payees:>8,} "
               f"{format_fen(batch.total_fen):>18}"
               for batch in payouts.batches()), "No payout batches yet.")


@payouts_cli.command("export")
@click.argument("batch_id", type=ROW_ID)
@click.option("--file", "file", type=click.Choice(["bank", "payroll"]), default="bank", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--user", "username", default=None, help="Finance user recorded as the exporter.")
@with_appcontext
def export_command(batch_id: int, file: str, fmt: str, output: str, username: str | None) -> None:
    """Export an approved batch (approved → exported) to OUTPUT."""
    from channel.services import payouts, payouts_export

    try:
        batch = payouts.start_export(batch_id, _user_id(username))
    except DomainError as error:
        fail(error)
    with open_output(output, "wb") as out:
        if fmt == "csv":
            for chunk in payouts_export.csv_chunks(batch.id, file):
                out.write(chunk)
        else:
            payouts_export.write_xlsx(batch.id, file, out)
    click.echo(f"Wrote {output}")


@payouts_cli.command("reconcile")
@click.argument("batch_id", type=ROW_ID)
@with_appcontext
def reconcile_command(batch_id: int) -> None:
    """Batch total = sum of its rows = sum of the ledger lines it settles; exit 1 if not."""
    from channel.services import payouts

    try:
        check = payouts.reconcile(batch_id)
    except DomainError as error:
        fail(error)
    click.echo(f"batch {format_fen(check.batch_total_fen)} · rows {format_fen(check.rows_total_fen)} · "
               f"ledger lines {format_fen(check.lines_total_fen)} · rows off {format_count(check.rows_off)} → "
               f"{'OK' if check.ok else 'MISMATCH'}")
    if not check.ok:
        sys.exit(1)


@payouts_cli.command("hold-line")
@click.argument("ledger_line_id", type=ROW_ID)
@click.option("--reason", required=True)
@click.option("--user", "username", default=None)
@with_appcontext
def hold_line_command(ledger_line_id: int, reason: str, username: str | None) -> None:
    """Hold one ledger line (a manual hold, with a reason): no batch gathers it until released."""
    from channel.services import payouts

    try:
        hold = payouts.hold_ledger_line(ledger_line_id, _user_id(username), reason)
    except DomainError as error:
        fail(error)
    click.echo(f"Hold #{hold.id} on ledger line {ledger_line_id}.")


@payouts_cli.command("release-line")
@click.argument("hold_id", type=ROW_ID)
@click.option("--user", "username", default=None)
@with_appcontext
def release_line_command(hold_id: int, username: str | None) -> None:
    """Release a ledger-line hold: the line is payable in the next batch."""
    from channel.services import payouts

    try:
        payouts.release_ledger_hold(hold_id, _user_id(username))
    except DomainError as error:
        fail(error)
    click.echo(f"Hold #{hold_id} released.")


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
    app.cli.add_command(payouts_cli)
