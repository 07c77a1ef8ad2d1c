"""The Exports page: the form, the list, downloads, and who may use them."""

import json
import re
import shutil
from pathlib import Path

import pytest

from annotator.extensions import db
from annotator.services import exports
from annotator.services.exports import ExportSettings, write_export
from tests.conftest import csrf_token, login
from tests.services.test_exports_service import seed_documents


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


@pytest.fixture
def export_dir(app):
    return Path(app.config["EXPORT_DIR"])


def exports_url(project):
    return f"/projects/{project.id}/exports"


def post_form(client, project, **fields):
    data = {"format": "jsonl", "layer": "annotators", "status": "submitted", **fields}
    data["csrf_token"] = csrf_token(client, exports_url(project))
    return client.post(exports_url(project), data=data)


def only_export(export_dir, project):
    (summary,) = exports.list_exports(export_dir, project)
    root = export_dir / exports.project_folder_name(project)
    return root / summary.name


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def logout(client):
    client.post("/logout", data={})
    client.delete_cookie("session")


# ---------------------------------------------------------------- access


def test_annotators_get_403_and_non_members_404(client, seeded, export_dir):
    folder = write_export(db.session, seeded, ExportSettings(), export_dir).folder
    urls = [exports_url(seeded), f"{exports_url(seeded)}/{folder.name}/data.jsonl"]
    login(client, "annotator")
    assert "/exports" not in client.get(f"/projects/{seeded.id}").get_data(True)
    for url in urls:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, f"/projects/{seeded.id}")
    refused = client.post(urls[0], data={"csrf_token": token, "format": "jsonl"})
    assert refused.status_code == 403
    logout(client)
    login(client, "outsider")
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_the_login_page(client, seeded):
    response = client.get(exports_url(seeded))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("username", ["reviewer", "padmin", "siteadmin"])
def test_reviewers_and_admins_reach_the_page_from_the_project(client, seeded, username):
    login(client, username)
    overview = client.get(f"/projects/{seeded.id}").get_data(True)
    assert f'href="{exports_url(seeded)}"' in overview
    page = client.get(exports_url(seeded))
    assert page.status_code == 200
    html = page.get_data(True)
    assert "No exports yet." in html
    for fmt in ("jsonl", "spacy", "hf-bio", "doccano", "semeval-tsv"):
        assert f'value="{fmt}"' in html
    for label in ("claim", "denial", "hedge", "false_flag_warning"):
        assert f'value="{label}"' in html


# ---------------------------------------------------------------- exporting


def test_export_through_the_form_then_list_and_download(client, seeded, export_dir):
    login(client, "reviewer")
    response = post_form(
        client,
        seeded,
        format="doccano",
        labels=["claim", "denial"],
        split="0.5,0.25,0.25",
        seed="4",
    )
    assert response.status_code == 302
    folder = only_export(export_dir, seeded)
    options = manifest_of(folder)["options"]
    assert options["labels"] == ["claim", "denial"]
    assert options["split"] == {"train": 0.5, "dev": 0.25, "test": 0.25}
    assert options["seed"] == 4
    assert options["pseudonymise"] is True

    html = client.get(response.headers["Location"]).get_data(True)
    assert "Export written: 2 documents." in html
    assert folder.name in html
    links = re.findall(r'href="([^"]+/exports/[^"]+/[^"]+)"', html)
    assert sorted(link.rsplit("/", 1)[1] for link in links) == [
        "README.md",
        "dev.jsonl",
        "manifest.json",
        "test.jsonl",
        "train.jsonl",
    ]
    for link in links:
        with client.get(link) as download:
            assert download.status_code == 200, link
            name = link.rsplit("/", 1)[1]
            assert download.data == (folder / name).read_bytes()
            disposition = download.headers["Content-Disposition"]
            assert disposition == f"attachment; filename={name}"


def test_the_articles_of_a_semeval_export_are_listed_and_served(
    client, seeded, export_dir
):
    login(client, "reviewer")
    assert post_form(client, seeded, format="semeval-tsv").status_code == 302
    folder = only_export(export_dir, seeded)
    html = client.get(exports_url(seeded)).get_data(True)
    assert "2 more files" in html
    links = re.findall(r'href="([^"]+/articles/[^"]+)"', html)
    assert sorted(link.rsplit("/", 1)[1] for link in links) == [
        "articledoc-emoji.txt",
        "articledoc-plain.txt",
    ]
    with client.get(links[0]) as download:
        assert download.status_code == 200
        relative = links[0].split(f"/{folder.name}/", 1)[1]
        assert download.data == (folder / relative).read_bytes()
    assert b"\r\n" in (folder / "articles" / "articledoc-emoji.txt").read_bytes()


def test_real_names_only_when_asked(client, seeded, export_dir):
    login(client, "padmin")
    assert post_form(client, seeded, real_names="y").status_code == 302
    data = (only_export(export_dir, seeded) / "data.jsonl").read_text("utf-8")
    assert '"alice"' in data


def test_the_doccano_choices_reach_the_service_and_other_formats_ignore_them(
    client, seeded, export_dir
):
    login(client, "padmin")
    response = post_form(
        client, seeded, format="doccano", offsets="codepoints", doccano_shape="label"
    )
    assert response.status_code == 302
    chosen = manifest_of(only_export(export_dir, seeded))["options"]["format"]
    assert (chosen["doccano_offsets"], chosen["doccano_shape"]) == (
        "code_points",
        "label",
    )
    shutil.rmtree(export_dir)
    # The page always sends them; a jsonl export is not refused for it.
    response = post_form(client, seeded, offsets="codepoints", doccano_shape="label")
    assert response.status_code == 302
    assert manifest_of(only_export(export_dir, seeded))["format"]["name"] == "jsonl"


def test_the_majority_threshold_reaches_the_service(client, seeded, export_dir):
    login(client, "reviewer")
    response = post_form(client, seeded, layer="majority", min_annotators="3")
    assert response.status_code == 302
    manifest = manifest_of(only_export(export_dir, seeded))
    assert manifest["options"]["min_annotators"] == 3
    assert manifest["documents"]["exported"] == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"split": "0.5,0.5"}, "give three ratios"),
        ({"split": "0.7,0.7,0.1"}, "split &#39;0.7,0.7,0.1&#39;"),
        ({"layer": "gold"}, "no gold layer yet"),
        ({"min_annotators": "2"}, "min_annotators applies to the majority layer"),
        ({"min_agreement": "lots"}, "Not a valid float value"),
        ({"min_agreement": "2"}, "Number must be at most 1"),
        ({"format": "xml"}, "Not a valid choice"),
        ({"labels": ["rumour"]}, "not a valid choice"),
    ],
)
def test_bad_choices_are_shown_and_nothing_is_written(
    client, seeded, export_dir, fields, message
):
    login(client, "reviewer")
    response = post_form(client, seeded, **fields)
    assert response.status_code == 400
    assert message in response.get_data(True)
    assert exports.list_exports(export_dir, seeded) == []


def test_posting_without_the_csrf_token_is_refused(client, seeded, export_dir):
    login(client, "reviewer")
    response = client.post(exports_url(seeded), data={"format": "jsonl"})
    assert response.status_code == 400
    assert not export_dir.exists()


# ---------------------------------------------------------------- downloads


@pytest.fixture
def written(seeded, export_dir, tmp_path):
    """A finished export of Alpha, a secret file next to the export folder
    and a symlink to it inside the export."""
    folder = write_export(db.session, seeded, ExportSettings(), export_dir).folder
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (folder / "link.txt").symlink_to(secret)
    return folder


@pytest.mark.parametrize(
    "tail",
    [
        "..%2F..%2F..%2Fsecret.txt",
        "%2E%2E/%2E%2E/%2E%2E/secret.txt",
        "..%252F..%252Fsecret.txt",
        "%2Fetc%2Fpasswd",
        "{secret}",
        "link.txt",
        "missing.jsonl",
        "..",
    ],
)
def test_download_names_cannot_leave_the_export(client, written, tmp_path, tail):
    login(client, "reviewer")
    secret = str(tmp_path / "secret.txt").replace("/", "%2F")
    url = f"/projects/{written.parent.name.rsplit('-', 1)[1]}/exports/{written.name}/"
    response = client.get(url + tail.format(secret=secret))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "..%2F..%2Fsecret.txt/x",
        "..%2Fsecret.txt",
        "%2E%2E",
    ],
)
def test_export_names_cannot_leave_the_project(client, written, path):
    login(client, "reviewer")
    project_id = written.parent.name.rsplit("-", 1)[1]
    assert client.get(f"/projects/{project_id}/exports/{path}").status_code == 404


def test_another_projects_export_is_not_served(
    client, seeded, other_project, export_dir
):
    other = write_export(db.session, other_project, ExportSettings(), export_dir)
    login(client, "reviewer")
    url = f"{exports_url(seeded)}/{other.folder.name}/data.jsonl"
    assert client.get(url).status_code == 404


def test_reviewers_with_open_documents_cannot_export(client, seeded, users, export_dir):
    from annotator.services import assignments

    folder = write_export(db.session, seeded, ExportSettings(), export_dir).folder
    seeded.annotators_per_document = 5
    db.session.commit()
    assert assignments.next_document(db.session, seeded, users["reviewer"]) is not None
    login(client, "reviewer")
    token = csrf_token(client, exports_url(seeded))
    refused = client.post(
        exports_url(seeded), data={"csrf_token": token, "format": "jsonl"}
    )
    assert refused.status_code == 403
    assert "annotation is" in refused.get_data(as_text=True)
    download = client.get(f"{exports_url(seeded)}/{folder.name}/data.jsonl")
    assert download.status_code == 403
