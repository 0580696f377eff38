"""`flask --app app ...` commands of the ops feature: jobs, users, copy-to-postgres."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from channel.cli import counted, echo_list, fail, shown_label, shown_time
from channel.i18n import role_name
from channel.domain.errors import DomainError



def _user(username: str | None):
    from sqlalchemy import select

    from models import db
    from models.users import User

    if not username:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        fail(DomainError(f"no user {username}"))
    return user


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (docs/jobs.md)."""


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker(burst: bool) -> None:
    """Run an RQ worker on REDIS_URL (each job in a forked work horse)."""
    from rq import Worker

    from channel.services import jobs
    from models import db

    if not current_app.config.get("REDIS_URL"):
        fail(DomainError("REDIS_URL is not set: jobs run in-process, no worker is needed"))
    jobs.load_kinds()
    recovered = jobs.recover_interrupted()
    if recovered:
        click.echo(f"marked interrupted: {recovered}")
    db.session.remove()
    db.engine.dispose()  # the work horses are forked: they must not share the parent's connections
    Worker([jobs.queue()], connection=jobs.redis_connection()).work(burst=burst)


@jobs_group.command("recover")
@with_appcontext
def jobs_recover() -> None:
    """Mark jobs whose process died as interrupted (run after a restart)."""
    from channel.services import jobs

    click.echo(f"marked interrupted: {jobs.recover_interrupted()}")


@jobs_group.command("submit")
@click.argument("kind")
@click.option("--param", "-p", multiple=True, help="key=value (repeatable)")
@click.option("--user", "username", default=None, help="Run as this user (default: the system).")
@with_appcontext
def jobs_submit(kind: str, param: tuple[str, ...], username: str | None) -> None:
    """Submit a job; with no Redis it runs here and now."""
    from channel.services import jobs

    if not current_app.config.get("REDIS_URL"):
        # in-process: run it in this command, not in a thread that would die with the command
        current_app.config["JOBS_INLINE"] = "sync"
    params = {}
    for item in param:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            # 'x' is no 'x=' (an empty value): a slip refused, not run with a value nobody gave
            fail(DomainError(f"a parameter is key=value, not {item!r}"))
        params[key.strip()] = value
    try:
        job = jobs.submit(kind, params, _user(username))
    except DomainError as error:
        fail(error)
    click.echo(json.dumps({"id": job.id, "status": job.status, "result": job.result,
                           "error": jobs.error_message(job)}, ensure_ascii=False))
    if job.status == "failed":
        sys.exit(1)


@jobs_group.command("list")
@with_appcontext
def jobs_list() -> None:
    """The latest 50 jobs, newest first: id, kind, status, backend, submitted (Beijing time)."""
    from sqlalchemy import select

    from channel.ops.job_labels import kind_label, status_label
    from models import db
    from models.ops import Job

    echo_list((f"{job.id:>6} {shown_label(kind_label, job.kind):<28} {shown_label(status_label, job.status):<12} "
               f"{job.backend or '-':<6} {shown_time(job.created_at)}"
               for job in db.session.scalars(select(Job).order_by(Job.id.desc()).limit(50))), "No jobs yet.")


@click.group("users")
def users_group() -> None:
    """User accounts: roles, passwords, sessions (each change is audited)."""


@users_group.command("create")
@click.argument("username")
@click.argument("role")
@click.option("--seller", default=None, help="Seller code, for agent and sales-rep users.")
@click.option("--name", default=None)
@click.password_option()
@with_appcontext
def users_create(username: str, role: str, seller: str | None, name: str | None, password: str) -> None:
    from channel.services import security

    try:
        security.create_account(None, username, password, role, seller, display_name=name)
    except DomainError as error:
        fail(error)
    click.echo(f"created {username} ({shown_label(role_name, role)})")


@users_group.command("set-role")
@click.argument("username")
@click.argument("role")
@click.option("--seller", default=None, help="Seller code, for agent and sales-rep users.")
@with_appcontext
def users_set_role(username: str, role: str, seller: str | None) -> None:
    from channel.services import security

    try:
        security.set_role(None, username, role, seller)
    except DomainError as error:
        fail(error)
    click.echo(f"{username}: role {shown_label(role_name, role)}; their sessions have ended")


@users_group.command("reset-password")
@click.argument("username")
@click.password_option()
@with_appcontext
def users_reset_password(username: str, password: str) -> None:
    from channel.services import security

    try:
        security.reset_password(None, username, password)
    except DomainError as error:
        fail(error)
    click.echo(f"{username}: password set; their sessions have ended")


@users_group.command("logout-everywhere")
@click.argument("username")
@with_appcontext
def users_logout_everywhere(username: str) -> None:
    from channel.services import security

    try:
        security.log_out_everywhere(_user(username).id, actor_id=None)
    except DomainError as error:
        fail(error)
    click.echo(f"{username}: every session has ended")


@click.command("copy-to-postgres")
@click.argument("url")
@with_appcontext
def copy_to_postgres_command(url: str) -> None:
    """Copy this database into the new PostgreSQL database URL and check counts and money totals."""
    from channel.services.copy_db import copy_to_postgres

    def progress(table: str, count: int) -> None:
        click.echo(f"\r  {table:<20} {count:>10,}", nl=False)

    from sqlalchemy.exc import OperationalError

    try:
        checks = copy_to_postgres(url, progress=progress)
    except DomainError as error:
        click.echo("")
        fail(error)
    except OperationalError as error:  # the target cannot be reached (or refuses the login)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        click.echo("")
        fail(DomainError(f"cannot use the target database: {reason}"))
    click.echo("")
    for check in checks:
        money = " ".join(f"{k}={v[0]:,}" for k, v in check.money.items())
        click.echo(f"  {'ok' if check.ok else 'DIFF':<4} {check.table:<20} {check.target_rows:>10,} rows {money}")
    click.echo("Copied; every count and money total matches.")


def _partitioned_tables() -> frozenset[str]:
    """Names of the tables already partitioned (PostgreSQL only; fails elsewhere)."""
    from sqlalchemy import text

    from models import db

    if db.engine.dialect.name != "postgresql":
        fail(DomainError("partitioning is for PostgreSQL only"))
    return frozenset(db.session.scalars(text(
        "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid")).all())


def _echo_statements(statements: list[str]) -> None:
    for statement in statements:
        click.echo(statement + ";")


@click.command("partition-ledger")
@click.option("--months-ahead", default=12, show_default=True)
@with_appcontext
def partition_ledger_command(months_ahead: int) -> None:
    """Print the SQL that partitions the ledger by month on PostgreSQL (docs/production.md).
    Review it, then run it in a maintenance window: psql -v ON_ERROR_STOP=1 -1 -f FILE."""
    from sqlalchemy import select

    from channel.ops.partitioning import ledger_partition_sql
    from models import db
    from models.commissions import LedgerLine

    partitioned = _partitioned_tables()
    if "ledger_line" in partitioned:
        fail(DomainError("ledger_line is already partitioned"))
    periods = db.session.scalars(select(LedgerLine.period).distinct()).all()
    _echo_statements(ledger_partition_sql(periods, months_ahead, partitioned))


@click.command("partition-orders")
@click.option("--months-ahead", default=12, show_default=True)
@with_appcontext
def partition_orders_command(months_ahead: int) -> None:
    """Print the SQL that partitions the order lines by month on PostgreSQL (docs/production.md).
    Review it, then run it in a maintenance window: psql -v ON_ERROR_STOP=1 -1 -f FILE."""
    from sqlalchemy import func, select

    from channel.ops.partitioning import orders_partition_sql
    from models import db
    from models.sales import OrderLine

    partitioned = _partitioned_tables()
    if "order_line" in partitioned:
        fail(DomainError("order_line is already partitioned"))
    first, last = db.session.execute(select(func.min(OrderLine.order_date), func.max(OrderLine.order_date))).one()
    _echo_statements(orders_partition_sql(first, last, months_ahead, partitioned))


@click.command("partition-extend")
@click.option("--months-ahead", default=12, show_default=True, help="partitions up to this many months after this month")
@click.option("--through", default=None, help="YYYY-MM: partitions up to this month instead")
@click.option("--apply", "apply_", is_flag=True, help="create them now (one transaction) instead of printing the SQL")
@with_appcontext
def partition_extend_command(months_ahead: int, through: str | None, apply_: bool) -> None:
    """Add the coming months' partitions to every partitioned table (ledger_line, order_line) on
    PostgreSQL: run it monthly (cron) so that new rows never land in the default partition."""
    from sqlalchemy import text

    from channel.domain.periods import Month
    from channel.services.clock import business_today
    from channel.ops.partitioning import PLANS, extend_sql, partition_months
    from models import db

    partitioned = _partitioned_tables()
    tables = [name for name in PLANS if name in partitioned]
    if not tables:
        fail(DomainError("no table is partitioned yet (flask partition-ledger / partition-orders)"))
    try:
        last = Month.parse(through) if through else Month.of(business_today())
    except DomainError as error:
        fail(error)
    if not through:
        for _ in range(months_ahead):
            last = last.next()
    statements = []
    for table in tables:
        names = db.session.scalars(text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t"), {"t": table}).all()
        statements += extend_sql(PLANS[table], partition_months(list(names), table), last)
    if not apply_:
        _echo_statements(statements)
        return
    try:
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - reported, nothing created
        db.session.rollback()
        detail = str(getattr(error, "orig", error)).splitlines()[0]
        fail(DomainError(f"nothing was created: {detail} - rows of a month already in the default "
                          "partition must be moved first (docs/production.md)"))
    click.echo(f"{counted(len(statements), 'partition')} created, through {last}.")


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
    app.cli.add_command(jobs_group)
    app.cli.add_command(users_group)
    app.cli.add_command(copy_to_postgres_command)
    app.cli.add_command(partition_ledger_command)
    app.cli.add_command(partition_orders_command)
    app.cli.add_command(partition_extend_command)
