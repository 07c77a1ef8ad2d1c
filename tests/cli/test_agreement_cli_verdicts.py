"""``annotator agreement --json`` (schema 4) and the text output carry each
headline figure's verdict and reading, and the figures per week."""

import json

import pytest

from annotator.core.agreement.verdict import RELIABLE, TENTATIVE, verdict
from annotator.extensions import db
from annotator.services import agreement
from annotator.services.documents import import_files
from tests.cli.test_agreement_cli_figures import SEED_FILE, run


@pytest.fixture(autouse=True)
def fresh_cache():
    agreement.clear_cache()
    yield
    agreement.clear_cache()


@pytest.fixture
def demo_article(project):
    import_files(db.session, project, [(SEED_FILE.name, SEED_FILE.read_bytes())])
    return project


def test_json_carries_verdicts_on_the_documented_scale(runner, demo_article):
    data = json.loads(run(runner, "agreement", "Alpha", "--json"))
    assert data["schema"] == 4
    verdicts = data["verdicts"]
    assert verdicts["scale"]["reliable"] == RELIABLE
    assert verdicts["scale"]["tentative"] == TENTATIVE
    assert "Krippendorff" in verdicts["scale"]["source"]
    for key in ("alpha_u", "f1_exact", "f1_partial"):
        value = data["unitizing"][key]["overall"]["value"]
        found = verdicts["headline"][key]
        assert found["verdict"] == verdict(value)
        assert found["reading"].startswith(str(verdict(value)).capitalize())
        assert "only 1 document: too few to trust" in found["reading"]
    claim = verdicts["per_label"]["claim"]["f1_partial"]
    claim_value = data["unitizing"]["f1_partial"]["per_label"]["claim"]["value"]
    assert claim["verdict"] == verdict(claim_value)
    assert [p["n_documents"] for p in data["periods"]] == [1]
    assert data["periods"][0]["f1_partial"] == {
        **data["unitizing"]["f1_partial"]["overall"],
        "ci_low": None,
        "ci_high": None,
    }


def test_text_output_prints_the_verdicts_and_the_weeks(runner, demo_article):
    output = run(runner, "agreement", "Alpha")
    headline = next(line for line in output.splitlines() if "alpha-u  " in line)
    assert "not reliable" in headline  # the demo article: alpha-u 0.660
    assert "alpha-u: Not reliable: the annotators disagree too often" in output
    assert "Week of submission" in output
