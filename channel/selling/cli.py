"""`flask --app app selling ...` commands of the selling feature."""
from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from channel.services import selling


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
    group = AppGroup("selling", help="Selling well: reminders and greetings.")

    @group.command("reminders")
    @click.option("--on", "on", default=None, help="Business date (YYYY-MM-DD, Asia/Shanghai); default today.")
    @click.option("--stale-days", default=30, show_default=True, type=click.IntRange(1, 3650),
                  help="High-value customers not contacted for N days (1-3650, as on the value page).")
    def reminders(on: str | None, stale_days: int) -> None:
        """Create the day's tasks: maintenance of stale high-value customers, holiday and
        birthday greetings. Idempotent: run it every morning."""
        from channel.domain.errors import DomainError
        from channel.domain.periods import parse_day

        try:  # 2026-13-01 was a traceback, 9999-12-31 a thousand tasks due in year 9999
            day = parse_day(on, "on") if on else selling.today_in_shanghai()
        except DomainError as error:
            raise click.BadParameter(str(error), param_hint="'--on'") from None
        made = selling.generate_reminders(today=day, stale_days=stale_days)
        click.echo(f"{day}: {made['maintenance']} maintenance reminders, {made['greeting']} greetings")

    @group.command("demo")
    @click.option("--on", "on", default=None, help="The demo's today (YYYY-MM-DD); default today in Shanghai.")
    def demo(on: str | None) -> None:
        """Add selling demo data (targets, contacts, 8 weeks of activities, ...) to the demo company."""
        from channel.services.selling_demo import load_selling_demo

        day = date.fromisoformat(on) if on else selling.today_in_shanghai()
        counts = load_selling_demo(today=day)
        click.echo(f"selling demo: {counts['activities']} activities, {counts['contacts']} contacts")

    app.cli.add_command(group)
