"""`flask --app app selling ...` commands of the selling feature."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from channel.cli import DAY, counted
from channel.services import selling


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
    group = AppGroup("selling", help="Selling well: reminders and greetings.")

    @group.command("reminders")
    @click.option("--on", "on", type=DAY, default=None, help="Business date (YYYY-MM-DD, Asia/Shanghai); default today.")
    @click.option("--stale-days", type=click.IntRange(1, 3650), default=30, show_default=True,
                  help="High-value customers not contacted for N days.")
    def reminders(on, stale_days: int) -> None:
        """Create the day's tasks: maintenance of stale high-value customers, holiday and
        birthday greetings. Idempotent: run it every morning."""
        day = on or selling.today_in_shanghai()
        made = selling.generate_reminders(today=day, stale_days=stale_days)
        click.echo(f"{day}: {counted(made['maintenance'], 'maintenance reminder')}, "
                   f"{counted(made['greeting'], 'greeting')}")

    @group.command("demo")
    @click.option("--on", "on", type=DAY, default=None, help="The demo's today (YYYY-MM-DD); default today in Shanghai.")
    def demo(on) -> None:
        """Add selling demo data (targets, contacts, 8 weeks of activities, ...) to the demo company."""
        from channel.services.selling_demo import load_selling_demo

        day = on or selling.today_in_shanghai()
        counts = load_selling_demo(today=day)
        click.echo(f"selling demo: {counted(counts['activities'], 'activity', 'activities')}, "
                   f"{counted(counts['contacts'], 'contact')}")

    app.cli.add_command(group)
