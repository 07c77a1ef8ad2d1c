"""The queue order on the project's Suggestions page (project admins only,
CSRF), in the API's project JSON and in the export manifest and card."""

import json

from annotator.extensions import db
from annotator.models import Document, DocumentUncertainty
from annotator.services import queue_order
from annotator.services.documents import import_files
from annotator.services.exports import ExportSettings, write_export
from tests.conftest import csrf_token, login

PAGE = "/projects/{}/suggestions"


def post(client, project, **data):
    token = csrf_token(client, PAGE.format(project.id))
    return client.post(
        f"{PAGE.format(project.id)}/queue-order", data={"csrf_token": token, **data}
    )


def score(project, version="m1"):
    import_files(db.session, project, [("a.txt", b"Officials reportedly said so.")])
    document = db.session.query(Document).one()
    db.session.add(
        DocumentUncertainty(
            document_id=document.id,
            project_id=project.id,
            suggester="spancat",
            suggester_version=version,
            proposals=1,
            margin=0.1,
        )
    )
    db.session.commit()


def test_admins_see_the_order_and_save_a_seeded_random_one(client, project):
    login(client, "padmin")
    html = client.get(PAGE.format(project.id)).get_data(as_text=True)
    assert "Queue order" in html
    assert 'value="in-order" selected' in html or 'selected value="in-order"' in html
    assert "no trained model has scored the documents yet" in html
    response = post(client, project, order="random", seed="77")
    assert response.status_code == 302
    db.session.expire_all()
    assert (project.queue_order, project.queue_seed) == ("random", 77)
    page = client.get(PAGE.format(project.id)).get_data(as_text=True)
    assert "Queue order: random (seed 77)." in page
    assert 'value="77"' in page


def test_an_empty_seed_keeps_the_stored_one(client, project):
    queue_order.set_queue_order(db.session, project, "random", 5)
    login(client, "padmin")
    assert post(client, project, order="in-order", seed="").status_code == 302
    assert post(client, project, order="random", seed="").status_code == 302
    db.session.expire_all()
    assert (project.queue_order, project.queue_seed) == ("random", 5)


def test_bad_seeds_and_an_unscored_uncertainty_order_are_400s(client, project):
    login(client, "padmin")
    bad = post(client, project, order="random", seed="-3")
    assert bad.status_code == 400
    assert "Seed of the random order" in bad.get_data(as_text=True)
    unscored = post(client, project, order="uncertainty", seed="")
    assert unscored.status_code == 400
    text = unscored.get_data(as_text=True)
    assert "no trained model has scored the documents of Alpha yet" in text
    assert "train one first" in text
    db.session.expire_all()
    assert project.queue_order == "in-order"


def test_uncertainty_once_a_model_scored_the_documents(client, project):
    score(project)
    login(client, "padmin")
    html = client.get(PAGE.format(project.id)).get_data(as_text=True)
    assert "spancat m1 scored 1 documents" in html
    assert post(client, project, order="uncertainty", seed="").status_code == 302
    db.session.expire_all()
    assert project.queue_order == "uncertainty"


def test_only_project_admins_with_the_token_may_change_it(client, project):
    # Non-members get a 404, as for any project they cannot see.
    for name, status in [("annotator", 403), ("reviewer", 403), ("outsider", 404)]:
        login(client, name)
        token = csrf_token(client, "/")
        response = client.post(
            f"{PAGE.format(project.id)}/queue-order",
            data={"csrf_token": token, "order": "random", "seed": "1"},
        )
        assert response.status_code == status, name
        client.post("/logout", data={"csrf_token": token})
    login(client, "padmin")
    no_token = client.post(
        f"{PAGE.format(project.id)}/queue-order", data={"order": "random"}
    )
    assert no_token.status_code == 400
    db.session.expire_all()
    assert (project.queue_order, project.queue_seed) == ("in-order", None)


def test_the_api_project_json_shows_the_order_and_seed(client, project):
    login(client, "annotator")
    found = client.get(f"/api/v1/projects/{project.id}").get_json()
    assert (found["queue_order"], found["queue_seed"]) == ("in-order", None)
    queue_order.set_queue_order(db.session, project, "random", 12)
    listed = client.get("/api/v1/projects").get_json()
    assert (listed[0]["queue_order"], listed[0]["queue_seed"]) == ("random", 12)


def test_the_export_manifest_and_card_record_the_order(project, tmp_path):
    score(project, version="m7")
    settings = ExportSettings(format="jsonl")
    queue_order.set_queue_order(db.session, project, "random", 31)
    first = write_export(db.session, project, settings, tmp_path / "a")
    again = write_export(db.session, project, settings, tmp_path / "b")
    manifest = json.loads((first.folder / "manifest.json").read_text("utf-8"))
    assert manifest["manifest_version"] == 3
    assert manifest["queue"] == {"order": "random", "seed": 31, "model": None}
    card = (first.folder / "README.md").read_text("utf-8")
    assert "- Queue order at export time: random, seed 31." in card
    for name in ("manifest.json", "README.md"):
        assert (first.folder / name).read_bytes() == (again.folder / name).read_bytes()
    queue_order.set_queue_order(db.session, project, "uncertainty")
    later = write_export(db.session, project, settings, tmp_path / "c")
    assert later.manifest["queue"] == {
        "order": "uncertainty",
        "seed": None,
        "model": {"suggester": "spancat", "version": "m7"},
    }
