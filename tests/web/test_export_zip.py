"""Each export downloads as one zip named <project>-<format>-<layer>-<timestamp>.zip
holding the same files as the command-line export; the form keeps its choices."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from annotator.cli import cli
from annotator.extensions import db
from annotator.services.exports import ExportSettings, write_export
from tests.conftest import csrf_token, login
from tests.services.test_exports_service import seed_documents

ZIP_LINK = re.compile(r'href="(/projects/\d+/exports/[^"/]+\.zip)"')


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


def _post(client, project, **fields):
    url = f"/projects/{project.id}/exports"
    data = {"format": "jsonl", "layer": "annotators", "status": "submitted", **fields}
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def _files(folder):
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_zip_holds_what_the_command_line_export_writes(
    client, runner, seeded, tmp_path
):
    login(client, "reviewer")
    choices = {
        "format": "doccano",
        "labels": ["claim", "denial"],
        "split": "0.5,0.25,0.25",
        "seed": "4",
    }
    response = _post(client, seeded, **choices)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    (link,) = set(ZIP_LINK.findall(page))
    with client.get(link) as download:
        assert download.status_code == 200
        assert download.mimetype == "application/zip"
        disposition = download.headers["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    name = re.fullmatch(r"attachment; filename=(.+)", disposition).group(1)
    assert re.fullmatch(r"alpha-doccano-annotators-\d{8}T\d{6}Z\.zip", name)
    assert name in page
    stem = name.removesuffix(".zip")
    zipped = {
        info.filename.removeprefix(f"{stem}/"): archive.read(info)
        for info in archive.infolist()
    }
    assert all(info.filename.startswith(f"{stem}/") for info in archive.infolist())

    out = tmp_path / "cli"
    result = runner.invoke(
        cli,
        [
            "export",
            "Alpha",
            "--format",
            "doccano",
            "--labels",
            "claim,denial",
            "--split",
            "0.5,0.25,0.25",
            "--seed",
            "4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert zipped == _files(out)
    assert {
        "train.jsonl",
        "dev.jsonl",
        "test.jsonl",
        "manifest.json",
        "README.md",
    } <= set(zipped)


def test_the_form_keeps_the_chosen_options(client, seeded):
    login(client, "reviewer")
    response = _post(
        client,
        seeded,
        format="conll",
        layer="majority",
        min_annotators="1",
        labels=["denial"],
        split="0.8,0.1,0.1",
        seed="7",
        real_names="y",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="conll">' in page
    assert '<option selected value="majority">' in page
    assert re.search(r'id="min_annotators"[^>]*value="1"', page)
    assert re.search(r'id="split"[^>]*value="0.8,0.1,0.1"', page)
    assert re.search(r'id="seed"[^>]*value="7"', page)
    assert re.search(r'checked[^>]*id="real_names"|id="real_names"[^>]*checked', page)
    assert re.search(r'<input checked[^>]*value="denial"', page)
    assert not re.search(r'<input checked[^>]*value="claim"', page)
    assert "Your export is ready" in page


def test_every_option_is_explained_in_plain_words(client, seeded):
    login(client, "reviewer")
    page = client.get(f"/projects/{seeded.id}/exports").get_data(as_text=True)
    assert "Majority threshold" not in page
    for field in (
        "format",
        "layer",
        "status",
        "min_annotators",
        "min_agreement",
        "split",
        "seed",
        "real_names",
        "labels",
    ):
        assert f'aria-describedby="{field}-help"' in page, field
        assert f'id="{field}-help"' in page, field
    assert "at least this many annotators marked exactly the same text" in page
    assert "Krippendorff&#39;s unitizing alpha (alpha-u)" in page


@pytest.fixture
def written(seeded, app):
    return write_export(
        db.session, seeded, ExportSettings(), Path(app.config["EXPORT_DIR"])
    ).folder


def test_zip_downloads_need_a_reviewer_of_the_project(app, client, written, seeded):
    url = f"/projects/{seeded.id}/exports/{written.name}.zip"
    assert client.get(url).status_code == 302  # to the login page
    login(client, "outsider")
    assert client.get(url).status_code == 404
    login(client, "annotator")
    assert client.get(url).status_code == 403
    login(client, "reviewer")
    with client.get(url) as download:
        assert download.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "%2E%2E",
        "..%2F..%2Fsecret",
        "a%00b",
        "%00",
        "20261203T081500Z-jsonl",
        "x" * 300,
        "%2Fetc%2Fpasswd",
        "{folder}%00",
        "20261203T081500Z-jsonl%2F..%2F..",
    ],
)
def test_odd_zip_names_are_404_not_500(client, written, seeded, name):
    login(client, "reviewer")
    url = f"/projects/{seeded.id}/exports/{name.format(folder=written.name)}.zip"
    assert client.get(url).status_code == 404


def test_another_projects_export_is_not_zipped(app, client, seeded, other_project):
    other = write_export(
        db.session, other_project, ExportSettings(), Path(app.config["EXPORT_DIR"])
    ).folder
    login(client, "reviewer")
    url = f"/projects/{seeded.id}/exports/{other.name}.zip"
    assert client.get(url).status_code == 404
