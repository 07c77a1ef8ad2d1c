"""The project admins' suggestions page: mode and share, the cue lexicon
(one textarea per label, each save a new version), errors naming the line."""

from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import CueLexiconVersion, SuggestionSettings
from annotator.services.suggestions import lexicons
from tests.conftest import csrf_token, login


def page(client, project):
    return client.get(f"/projects/{project.id}/suggestions")


def lexicon_form(client, project, **texts):
    token = csrf_token(client, f"/projects/{project.id}/suggestions")
    data = {"csrf_token": token, "contexts": texts.pop("contexts", "")}
    data |= {f"label-{name}": text for name, text in texts.items()}
    return client.post(f"/projects/{project.id}/suggestions/lexicon", data=data)


def test_admins_see_the_default_lexicon_and_settings(client, project):
    login(client, "padmin")
    html = page(client, project).get_data(as_text=True)
    assert "reportedly ; score=0.8" in html
    assert "[deception]" in html
    assert 'value="calibrate" selected' in html or 'selected value="calibrate"' in html
    assert "cue lexicon version 1" in html


def test_annotators_may_not_open_it(client, project):
    login(client, "annotator")
    assert page(client, project).status_code == 403


def test_saving_a_label_makes_a_new_version(client, project):
    lexicons.save_lexicon(
        db.session, project, {"labels": {"claim": ["announced"]}}, None
    )
    login(client, "padmin")
    contexts = "[frame]\nblame\n"
    response = lexicon_form(
        client,
        project,
        hedge="reportedly\nallegedly",
        denial="deny ; needs=frame",
        false_flag_warning="",
        contexts=contexts,
    )
    assert response.status_code == 302
    newest = db.session.scalar(
        select(CueLexiconVersion).order_by(CueLexiconVersion.number.desc())
    )
    assert newest.number == 3
    assert newest.lexicon["labels"]["hedge"] == ["reportedly", "allegedly"]
    assert newest.lexicon["contexts"] == {"frame": ["blame"]}
    assert newest.lexicon["labels"]["denial"] == ["deny ; needs=frame"]
    assert newest.lexicon["labels"]["false_flag_warning"] == []
    # A label the form did not send keeps its entries.
    assert newest.lexicon["labels"]["claim"] == ["announced"]


def test_a_bad_entry_is_refused_naming_its_line_and_keeps_the_text(client, project):
    login(client, "padmin")
    page(client, project)
    response = lexicon_form(
        client,
        project,
        claim="",
        hedge="may\ncould ; needs=nowhere",
        denial="",
        false_flag_warning="",
        contexts="",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "hedge line 2" in html
    assert "could ; needs=nowhere" in html  # the text stays to correct
    assert db.session.scalar(select(func.count()).select_from(CueLexiconVersion)) == 1


def test_the_mode_and_share_are_saved(client, project):
    login(client, "padmin")
    token = csrf_token(client, f"/projects/{project.id}/suggestions")
    response = client.post(
        f"/projects/{project.id}/suggestions/settings",
        data={"csrf_token": token, "mode": "on", "share": "0.3"},
    )
    assert response.status_code == 302
    stored = db.session.scalar(select(SuggestionSettings))
    assert (stored.mode, stored.calibration_share) == ("on", 0.3)
    bad = client.post(
        f"/projects/{project.id}/suggestions/settings",
        data={"csrf_token": token, "mode": "on", "share": "3"},
    )
    assert bad.status_code == 400
    none = client.post(
        f"/projects/{project.id}/suggestions/settings",
        data={"csrf_token": token, "mode": "calibrate", "share": "0"},
    )
    assert none.status_code == 302  # 0: no calibration documents, a valid share
    db.session.expire_all()
    stored = db.session.scalar(select(SuggestionSettings))
    assert (stored.mode, stored.calibration_share) == ("calibrate", 0.0)


def test_saves_need_the_csrf_token(client, project):
    login(client, "padmin")
    response = client.post(
        f"/projects/{project.id}/suggestions/settings", data={"mode": "off"}
    )
    assert response.status_code == 400
