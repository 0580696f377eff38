"""The list commands: an empty list says so in one line (it used to print nothing), and times
read as on the pages: to the minute, in Beijing time, the zone stated (not UTC with microseconds)."""
from __future__ import annotations

from datetime import datetime

from models import db
from tests.functional.test_api_features import approved_batch
from tests.ops_fixtures import add_job

# 06:03:07.123456 UTC is 14:03 in Beijing
STORED = datetime(2026, 10, 5, 6, 3, 7, 123456)
SHOWN = "2026-10-05 14:03 UTC+0800"


def invoke(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_payouts_list_says_when_there_are_no_batches_and_lists_them_when_there_are(app, world):
    assert invoke(app, "payouts", "list") == "No payout batches yet.\n"
    batch = approved_batch(world)
    (line,) = invoke(app, "payouts", "list").splitlines()
    # the status as the payouts page shows it (in English, the commands' language), not its key
    assert line.startswith(f"#{batch.id}") and "2026-10" in line and " Approved " in line and "approved" not in line


def test_tokens_list_shows_times_to_the_minute_in_beijing_time_and_says_when_there_are_none(app, world):
    from channel.services.api_tokens import create_token, revoke_token

    assert invoke(app, "tokens", "list", "admin") == "admin has no API tokens.\n"
    token, _ = create_token(world.user_admin, "erp")
    token.created_at = token.last_used_at = STORED
    db.session.commit()
    (line,) = invoke(app, "tokens", "list", "admin").splitlines()
    assert line.split("\t")[3:] == ["live", f"created {SHOWN}", f"last used {SHOWN}"]
    assert "123456" not in line and ":07" not in line
    revoke_token(world.user_admin, token.id)
    token.revoked_at = STORED
    db.session.commit()
    assert f"revoked {SHOWN}" in invoke(app, "tokens", "list", "admin")


def test_tokens_list_of_an_unknown_user_is_one_line(app, world):
    result = app.test_cli_runner().invoke(args=["tokens", "list", "nobody"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == "Error: no user 'nobody'\n"


def test_jobs_list_says_when_there_are_none_and_shows_the_submission_in_beijing_time(app, world):
    assert invoke(app, "jobs", "list") == "No jobs yet.\n"
    job = add_job(world.user_admin)
    job.created_at = STORED
    db.session.commit()
    (line,) = invoke(app, "jobs", "list").splitlines()
    # the kind and status as the jobs page shows them (in English), not their keys
    assert line.split()[0] == str(job.id) and line.endswith(SHOWN)
    assert "Export orders (CSV)" in line and " Done " in line and "orders.export" not in line


def test_commands_print_rules_and_roles_as_the_pages_show_them_in_english(app, world):
    scan = invoke(app, "conflicts", "scan", "--period", "2026-10")
    assert "Cross-territory sale" in scan and "cross_territory" not in scan
    created = invoke(app, "users", "create", "cm2", "channel_manager", "--password", "Qd-longer-pass-2026")
    assert created == "created cm2 (Channel manager)\n"
