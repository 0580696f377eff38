"""`flask --app app commissions run --period 2026-10 [--preview]` and
`flask --app app plans export|import FILE`: the same services as the pages."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from channel.cli import counted, label_macro, open_output, shown_label
from channel.domain.errors import DomainError

commissions_cli = AppGroup("commissions", help="Commission runs.")
plans_cli = AppGroup("plans", help="Commission plans as JSON (docs/plans-json.md).")


def _fail(error: DomainError) -> None:
    from channel.services.commissions import plan_position

    position = plan_position(error)
    where = f"plan {position}: " if position is not None else ""
    problems = getattr(error, "problems", None)
    if problems:
        for problem in problems:
            click.echo(f"Error [{problem.field}]: {where}"
                       f"{problem.message % problem.params if problem.params else problem.message}", err=True)
    else:
        click.echo(f"Error: {where}{error}", err=True)
    sys.exit(1)


@commissions_cli.command("run")
@click.option("--period", required=True, help="The month, YYYY-MM.")
@click.option("--preview", is_flag=True, help="Compute and show what would be posted; post nothing.")
@click.option("--with-plans", "with_plans", type=click.Path(exists=True, dir_okay=False), default=None,
              help="What-if: preview as if the plans in this JSON file were saved (implies --preview).")
def run_command(period: str, preview: bool, with_plans: str | None) -> None:
    """Compute a month's commissions and post the ledger lines (or preview them)."""
    from channel.domain.money import format_fen
    from channel.services.commissions import what_if
    from channel.services.commissions_run import run_period

    try:
        if with_plans:
            preview = True
            with open(with_plans, "rb") as handle:
                outcome = what_if(period, handle.read())
        else:
            outcome = run_period(period, preview=preview,
                                 progress=lambda step, done, total: click.echo(f"  [{done}/{total}] {step}"))
    except DomainError as error:
        _fail(error)
        return
    verb = "would post" if preview else "posted"
    click.echo(f"{outcome.period}: {verb} {counted(outcome.lines_posted, 'line')}, total {format_fen(outcome.total_fen)}"
               f" (months computed: {', '.join(outcome.sources)})")
    rule_label = label_macro("commissions/_labels.html", "kind_label")  # the run page's labels
    for _, code, name, rule, count, amount in outcome.changes[:50]:
        click.echo(f"  {code:<12} {shown_label(rule_label, rule):<24} {count:>8,} {format_fen(amount):>16}  {name}")


@plans_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export_command(file: str) -> None:
    """Write every active plan version to FILE ('-' for standard output)."""
    from channel.services.commissions import export_plans

    text = json.dumps(export_plans(), ensure_ascii=False, indent=2)
    if file == "-":
        click.echo(text)
    else:
        with open_output(file, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"exported to {file}")


@plans_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--retroactive", is_flag=True,
              help="Allow new versions that re-price months already posted (refused otherwise).")
def import_command(file: str, retroactive: bool) -> None:
    """Import plans from FILE, all or nothing (guardrails checked for each)."""
    from channel.services.commissions import import_plans

    with open(file, "rb") as handle:
        payload = handle.read()
    try:
        saved = import_plans(payload, retroactive=retroactive)
    except DomainError as error:
        _fail(error)
        return
    # the plans pages' labels (commissions/_labels.html), as the run command prints its rules
    channel_label, plan_level, import_action = (label_macro("commissions/_labels.html", name)
                                                for name in ("channel_label", "plan_level", "import_action"))
    for item in saved:
        plan = item.plan
        click.echo(f"  {plan.name} v{plan.version} ({shown_label(channel_label, plan.channel)}, "
                   f"{shown_label(plan_level, plan.channel, plan.level)}) "
                   f"from {plan.valid_from}: {shown_label(import_action, item.action)}")
    click.echo(f"imported {counted(len(saved), 'plan')}")


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
    app.cli.add_command(commissions_cli)
    app.cli.add_command(plans_cli)
