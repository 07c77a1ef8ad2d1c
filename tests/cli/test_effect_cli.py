"""``annotator suggestion-effect PROJECT [--json]``: an unknown project is
named, and a project without gold or decisions says so in words."""

import json

from annotator.cli import cli
from annotator.extensions import db
from annotator.services.suggestions import settings


def test_an_unknown_project_is_named(runner, project):
    result = runner.invoke(cli, ["suggestion-effect", "Nowhere"])
    assert result.exit_code == 1
    assert "Nowhere" in result.output


def test_a_new_project_has_nothing_to_measure_yet(runner, project):
    result = runner.invoke(cli, ["suggestion-effect", "Alpha"])
    assert result.exit_code == 0, result.output
    assert "Suggestion effect in Alpha (calibrate, 10% of documents without them)" in (
        result.output
    )
    assert "no adjudicated documents yet" in result.output
    assert "nobody has accepted or rejected a suggestion yet" in result.output
    assert "Too small to compare" in result.output


def test_suggestions_on_everywhere_leave_nothing_to_compare_with(runner, project):
    settings.set_suggestions(db.session, project, "on")
    result = runner.invoke(cli, ["suggestion-effect", "Alpha"])
    assert "there are no calibration documents to compare with" in result.output
    data = json.loads(
        runner.invoke(cli, ["suggestion-effect", "Alpha", "--json"]).output
    )
    assert data["settings"]["mode"] == "on"
    assert data["agreement"]["calibration"]["n_documents"] == 0
