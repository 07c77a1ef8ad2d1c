"""The effect of suggestions on the web and for scripts: who may see it,
and the same figures on the page, in the v1 JSON and from the command
line."""

import html
import json
import re

import pytest
from sqlalchemy import select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Assignment, User
from annotator.services.annotations import assignment_for
from tests.conftest import login
from tests.effect_data import make_effect_project


def page_url(project):
    return f"/projects/{project.id}/suggestions/effect"


def api_url(project):
    return f"/api/v1/projects/{project.id}/suggestions/effect"


@pytest.mark.parametrize("name", ["reviewer", "padmin"])
def test_reviewers_and_admins_see_the_page_and_the_json(client, project, name):
    login(client, name)
    response = client.get(page_url(project))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Agreement with and without suggestions" in text
    assert "No adjudicated documents yet" in text
    assert "Too small to compare" in text
    assert "no calibration documents" not in text  # calibrate: the default
    data = client.get(api_url(project)).get_json()
    assert data["project"] == {"id": project.id, "name": "Alpha"}
    assert data["agreement"]["comparable"] is False


def test_an_annotator_of_the_project_is_refused(client, project):
    login(client, "annotator")
    assert client.get(page_url(project)).status_code == 403
    assert client.get(api_url(project)).status_code == 403


def test_another_project_is_not_found(client, project, other_project):
    login(client, "reviewer")
    assert client.get(page_url(other_project)).status_code == 404
    assert client.get(api_url(other_project)).status_code == 404
    login(client, "outsider")
    assert client.get(page_url(project)).status_code == 404
    assert client.get(api_url(project)).status_code == 404


def test_nobody_anonymous(client, project):
    assert client.get(api_url(project)).status_code == 401
    assert client.get(page_url(project)).status_code in (302, 401)


def test_reviewers_find_it_in_the_nav_and_admins_from_the_suggestions_page(
    client, project
):
    login(client, "reviewer")
    overview = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert page_url(project) in overview
    login(client, "padmin")
    settings = client.get(f"/projects/{project.id}/suggestions").get_data(as_text=True)
    assert page_url(project) in settings


def words(markup):
    """The visible words of a page or of the command's output."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def three(value):
    return "—" if value is None else f"{value:.3f}"


def test_the_page_the_json_and_the_command_give_the_same_figures(
    app, client, runner, project, users
):
    make_effect_project(project, users["reviewer"])
    login(client, "reviewer")
    data = client.get(api_url(project)).get_json()
    result = runner.invoke(cli, ["suggestion-effect", "Alpha", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == data
    text = words(runner.invoke(cli, ["suggestion-effect", "Alpha"]).output)
    page = words(client.get(page_url(project)).get_data(as_text=True))

    [rules] = data["suggesters"]
    assert (rules["name"], rules["version"]) == ("rules", "2")
    for label, score in [*rules["per_label"].items(), ("All labels", rules["overall"])]:
        row = [label, score["gold"], score["predicted"], score["correct"]]
        row += [three(score[k]) for k in ("precision", "recall", "f1")]
        shown = " ".join(str(cell) for cell in row)
        assert shown in page
        assert shown.replace("—", "n/a") in text
    ann = data["annotators"][0]
    assert ann["annotator"] == "ann"
    assert ann["acceptance"] == {"count": 3, "total": 4, "rate": 0.75}
    assert ann["corrected"] == {"count": 1, "total": 3, "rate": 0.3333}
    for shown in ("0.750 (3 of 4)", "0.333 (1 of 3)"):
        assert shown in page
        assert shown in text
    agreement = data["agreement"]
    assert agreement["comparable"] is True
    for group in ("with_suggestions", "calibration"):
        found = agreement[group]["alpha_u"]
        interval = f"[{three(found['ci_low'])}, {three(found['ci_high'])}]"
        for shown in (three(found["value"]), interval):
            assert shown in page
            assert shown in text
    assert agreement["summary"] in page
    assert agreement["summary"] in text


def test_documents_in_neither_group_are_counted_on_the_page_the_json_and_the_cli(
    app, client, runner, project, users
):
    built = make_effect_project(project, users["reviewer"])
    # On one calibration document one annotator was shown suggestions after
    # all; on another, one annotator's record is unknown (from before the
    # record began): both move out of the calibration group.
    # On a third, suggestions were on but nothing was proposed: counted
    # apart too.
    mixed, unknown, nothing = built["calibration"][:3]
    bob = db.session.scalar(select(User).where(User.username == "bob"))
    for document, shown in ((mixed, True), (unknown, None)):
        assignment_for(db.session, document, bob).suggestions_shown = shown
    for assignment in db.session.scalars(
        select(Assignment).where(Assignment.document_id == nothing.id)
    ):
        assignment.suggestions_withheld = "none_proposed"
    db.session.commit()
    n_calibration = len(built["calibration"]) - 3
    login(client, "reviewer")
    data = client.get(api_url(project)).get_json()
    agreement = data["agreement"]
    assert agreement["calibration"]["n_documents"] == n_calibration
    assert agreement["with_suggestions"]["n_documents"] == 30 - n_calibration - 3
    assert agreement["mixed"]["n_documents"] == 2
    assert agreement["mixed"]["n_unknown"] == 1
    note = agreement["mixed"]["note"]
    assert note.startswith("2 documents with submitted work are in neither group")
    assert "for 1 of them it is not known what an annotator was shown" in note
    assert "imported work" in note
    assert agreement["mixed"]["unknown_note"].startswith(
        "An unknown record stays unknown"
    )
    assert agreement["none_proposed"]["n_documents"] == 1
    result = runner.invoke(cli, ["suggestion-effect", "Alpha", "--json"])
    assert json.loads(result.output)["agreement"]["mixed"] == agreement["mixed"]
    text = words(runner.invoke(cli, ["suggestion-effect", "Alpha"]).output)
    page = words(client.get(page_url(project)).get_data(as_text=True))
    # One sentence, worded once (in core), on the page and in the command.
    notes = (note, agreement["mixed"]["unknown_note"])
    for sentence in (*notes, agreement["none_proposed"]["note"]):
        assert words(sentence) in page
        assert words(sentence) in text
    assert "annotated before the app recorded it" not in page
    row = f"calibration documents, annotated without them {n_calibration} "
    assert row in text
