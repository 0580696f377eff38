"""The documented commands given bad arguments: each ends with one clear line and a non-zero
exit code, never a traceback, and writes nothing it should not."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models import db
from models.users import User

HUGE = str(2**63)


def _refused(result, code: int = 1) -> str:
    """The command stopped by itself (SystemExit), with `code`, without a traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("args", [
    ["tokens", "revoke", "admin", HUGE],
    ["payouts", "reconcile", HUGE],
    ["payouts", "export", HUGE, "--format", "csv", "-o", "out.csv"],
    ["payouts", "hold-line", HUGE, "--reason", "x"],
    ["payouts", "release-line", HUGE],
])
def test_an_id_beyond_any_row_is_a_usage_error_not_a_database_overflow(app, world, args):
    output = _refused(app.test_cli_runner().invoke(args=args), code=2)
    assert "is not in the range 1<=x<=2147483647" in output


@pytest.mark.parametrize("name, words", [("", "名字"), ("x" * 101, "100")])
def test_tokens_create_with_an_empty_or_too_long_name_says_so(app, world, name, words):
    output = _refused(app.test_cli_runner().invoke(args=["tokens", "create", "admin", "--name", name]))
    assert output.startswith("Error: ") and words in output


def test_a_file_that_cannot_be_written_is_one_line(app, world, tmp_path):
    runner = app.test_cli_runner()
    missing = tmp_path / "no" / "such" / "dir"
    output = _refused(runner.invoke(args=["plans", "export", str(missing / "plans.json")]))
    assert output.strip() == f"Error: cannot write {missing / 'plans.json'}: No such file or directory"
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    output = _refused(runner.invoke(args=["import", "agents", str(bad), "--report", str(missing / "r.csv")]))
    assert f"Error: cannot write {missing / 'r.csv'}" in output


@pytest.mark.parametrize("args, words", [
    (["selling", "reminders", "--on", "2026-13-01"], "Invalid value for '--on': 日期必须写成 YYYY-MM-DD"),
    (["selling", "reminders", "--stale-days", "-5"], "-5 is not in the range 1<=x<=3650"),
    (["selling", "demo", "--on", "tomorrow"], "Invalid value for '--on': 日期必须写成 YYYY-MM-DD"),
    (["selling", "demo", "--on", "9999-12-31"], "Invalid value for '--on': 日期超出范围"),
])
def test_selling_commands_refuse_a_bad_day_or_count(app, world, args, words):
    output = _refused(app.test_cli_runner().invoke(args=args), code=2)
    assert words in output


def test_users_create_refuses_an_empty_or_over_long_username(app, world):
    runner = app.test_cli_runner()
    before = db.session.scalar(select(func.count()).select_from(User))
    for username, words in (("", "用户名不能为空"), (" ops", "用户名不能为空"), ("u" * 65, "最多 64 个字符")):
        output = _refused(runner.invoke(args=["users", "create", username, "admin"],
                                        input="Long-enough-pass-1\nLong-enough-pass-1\n"))
        assert words in output
    output = _refused(runner.invoke(args=["users", "create", "ops", "admin", "--name", "n" * 101],
                                    input="Long-enough-pass-1\nLong-enough-pass-1\n"))
    assert "最多 100 个字符" in output
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_jobs_submit_without_redis_runs_the_job_before_the_command_ends(app, world):
    """As under `make run` (jobs in a thread of the web process): the command itself must run
    the job, or the thread dies with the command and the job stays 'queued'."""
    from models.ops import Job

    app.config["JOBS_INLINE"] = "thread"
    app.config["REDIS_URL"] = None
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "submit", "conflicts.scan", "-p", "period=2026-10"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output.strip().splitlines()[-1])
    assert answer["status"] == "done"
    assert db.session.get(Job, answer["id"]).status == "done"
    result = runner.invoke(args=["jobs", "submit", "conflicts.scan", "-p", "period=2026-13"])
    answer = json.loads(_refused(result).strip().splitlines()[-1])
    assert answer["status"] == "failed" and "YYYY-MM" in answer["error"]


def test_copy_to_postgres_to_a_server_that_is_not_there_is_one_line(app, world):
    output = _refused(app.test_cli_runner().invoke(args=["copy-to-postgres", "postgresql+psycopg://nobody@127.0.0.1:1/x"]))
    assert "Error: cannot use the target database: connection failed" in output
    assert len(output.strip().splitlines()) == 1


@pytest.mark.parametrize("item", ["x", "=2026-10", ""])
def test_jobs_submit_refuses_a_parameter_that_is_not_key_equals_value(app, world, item):
    from models.ops import Job

    before = db.session.scalar(select(func.count(Job.id)))
    result = app.test_cli_runner().invoke(args=["jobs", "submit", "conflicts.scan", "-p", "period=2026-10", "-p", item])
    output = _refused(result)
    assert output.strip() == f"Error: a parameter is key=value, not {item!r}"
    assert db.session.scalar(select(func.count(Job.id))) == before
