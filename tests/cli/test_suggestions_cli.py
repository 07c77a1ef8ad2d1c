"""``annotator set-suggestions PROJECT --mode off|on|calibrate [--share]``."""

import pytest
from sqlalchemy import select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import SuggestionSettings


def test_set_suggestions_command(runner, project):
    result = runner.invoke(
        cli, ["set-suggestions", "Alpha", "--mode", "calibrate", "--share", "0.25"]
    )
    assert result.exit_code == 0, result.output
    assert "calibrate, 25% of documents without them" in result.output
    stored = db.session.scalar(select(SuggestionSettings))
    assert (stored.mode, stored.calibration_share) == ("calibrate", 0.25)
    result = runner.invoke(cli, ["set-suggestions", "Alpha", "--mode", "off"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(SuggestionSettings)).mode == "off"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nope", "--mode", "on"], "Nope"),
        (["Alpha", "--mode", "sometimes"], "sometimes"),
        (["Alpha", "--mode", "on", "--share", "2"], "2"),
    ],
)
def test_set_suggestions_refuses_bad_input(runner, project, args, message):
    result = runner.invoke(cli, ["set-suggestions", *args])
    assert result.exit_code != 0
    assert message in result.output
