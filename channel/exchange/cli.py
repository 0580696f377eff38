"""`flask --app app import KIND FILE` and `flask --app app tokens create|revoke|list`."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from channel.cli import ROW_ID, counted, echo_list, fail, open_output, shown_label, shown_time
from channel.domain.errors import DomainError


@click.command("import")
@click.argument("kind")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", default=None, help="Record the import as done by this user.")
@click.option("--report", type=click.Path(dir_okay=False), default=None,
              help="Where to write the CSV report of bad rows (default: next to FILE).")
@with_appcontext
def import_command(kind: str, path: str, username: str | None, report: str | None) -> None:
    """Import FILE (CSV in UTF-8/GBK, or XLSX) as KIND: all rows or none.

    KIND is one of the registered import kinds (see `docs/imports.md`)."""
    from channel.services import imports
    from models import db
    from models.users import User

    if kind not in imports.IMPORT_KINDS:
        click.echo(f"Error: unknown kind {kind!r}; one of: {', '.join(imports.IMPORT_KINDS)}", err=True)
        sys.exit(2)
    user_id = None
    if username:
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            click.echo(f"Error: no user {username!r}", err=True)
            sys.exit(2)
    state = {"bar": None, "phase": None, "last": 0}

    def progress(phase: str, done: int, total: int) -> None:
        if state["phase"] != phase:
            if state["bar"] is not None:
                state["bar"].render_finish()
            label = "checking" if phase == "check" else "writing "
            state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_pos=True)
            state["phase"], state["last"] = phase, 0
        state["bar"].update(max(done - state["last"], 0))
        state["last"] = max(done, state["last"])

    run = imports.import_file(kind, path, user_id=user_id, progress=progress)
    if state["bar"] is not None:
        state["bar"].render_finish()
    if run.status == "done":
        from channel.exchange.labels import kind_label
        from channel.web import format_count

        click.echo(f"{shown_label(kind_label, run.kind)}: {counted(run.inserted, 'row')} imported, "
                   f"{format_count(run.skipped)} already there (run #{run.id}).")
        return
    target = report or f"{path}.errors.csv"
    rendered = imports.rendered_report(run.report_csv)  # the reasons in Chinese, as the pages' default
    with open_output(target, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(rendered)
    click.echo(f"Rejected: {counted(run.error_count, 'error')}, nothing imported. Report: {target}", err=True)
    for line in rendered.splitlines()[1:11]:
        click.echo("  " + line, err=True)
    sys.exit(1)


@click.group("tokens")
def tokens_group() -> None:
    """Personal API tokens."""


@tokens_group.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A name to recognise the token by.")
@with_appcontext
def tokens_create(username: str, name: str) -> None:
    """Create a token for USERNAME; the token alone is printed on the last line."""
    from channel.services.api_tokens import create_token

    user = _user(username)
    try:
        token, secret = create_token(user, name)
    except DomainError as error:
        fail(error)
    click.echo(f"Token #{token.id} for {user.username} ({name}). It is shown only once:")
    click.echo(secret)


@tokens_group.command("revoke")
@click.argument("username")
@click.argument("token_id", type=ROW_ID)
@with_appcontext
def tokens_revoke(username: str, token_id: int) -> None:
    """Revoke USERNAME's token TOKEN_ID."""
    from channel.services.api_tokens import revoke_token

    try:
        revoke_token(_user(username), token_id)
    except DomainError as error:
        fail(error)
    click.echo(f"Token #{token_id} revoked.")


@tokens_group.command("list")
@click.argument("username")
@with_appcontext
def tokens_list(username: str) -> None:
    """List USERNAME's tokens (never the secrets); times in Beijing time."""
    from channel.services.api_tokens import tokens_of

    user = _user(username)
    echo_list((f"#{token.id}\t{token.prefix}…\t{token.name}\t"
               f"{f'revoked {shown_time(token.revoked_at)}' if token.revoked_at else 'live'}\t"
               f"created {shown_time(token.created_at)}\tlast used {shown_time(token.last_used_at)}"
               for token in tokens_of(user)), f"{user.username} has no API tokens.")


def _user(username: str):
    from models import db
    from models.users import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        fail(DomainError(f"no user {username!r}"))
    return user


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
    app.cli.add_command(import_command)
    app.cli.add_command(tokens_group)
