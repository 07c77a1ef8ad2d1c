"""annotator create-token: prints the token once, stores only its hash."""

import hashlib

from sqlalchemy import select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import ApiToken
from annotator.services import account_admin, tokens


def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_create_token_prints_a_working_token_once(runner, users):
    result = run(runner, "create-token", "annotator", "--name", "nightly export")
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert plain.startswith("fa_")
    assert "\n" not in plain
    assert "shown only this once" in result.stderr
    assert tokens.authenticate(db.session, plain) == users["annotator"]
    row = db.session.scalar(select(ApiToken))
    assert row.name == "nightly export"
    assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()


def test_the_name_defaults_and_the_username_ignores_case(runner, users):
    result = run(runner, "create-token", "ANNOTATOR")
    assert result.exit_code == 0, result.output
    row = db.session.scalar(select(ApiToken))
    assert (row.name, row.user_id) == ("command line", users["annotator"].id)


def test_an_unknown_user_is_a_clear_error(runner, users):
    result = run(runner, "create-token", "nobody")
    assert result.exit_code != 0
    assert "no user named 'nobody'" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalars(select(ApiToken)).all() == []


def test_a_deactivated_user_gets_no_token(runner, users):
    account_admin.deactivate_user(db.session, users["annotator"], None)
    result = run(runner, "create-token", "annotator")
    assert result.exit_code != 0
    assert "deactivated" in result.output
    assert db.session.scalars(select(ApiToken)).all() == []


def test_an_empty_name_is_refused(runner, users):
    result = run(runner, "create-token", "annotator", "--name", " ")
    assert result.exit_code != 0
    assert "give the token a name" in result.output


def test_help_lists_create_token(runner):
    assert "create-token" in run(runner, "--help").output
