"""``annotator agreement``: the page's figures as text and as JSON."""

import json

import pytest

from annotator.cli import cli
from annotator.core.agreement import positive_specific_agreement
from annotator.extensions import db
from annotator.services import agreement, seeding
from annotator.services.documents import import_files

SEED_FILE = (
    seeding.DEFAULT_SEED_DIR / "russia-ukraine-false-flag.sample-annotations.jsonl"
)


@pytest.fixture(autouse=True)
def fresh_cache():
    agreement.clear_cache()
    yield
    agreement.clear_cache()


@pytest.fixture
def sampled(project):
    """Alpha with the demo article as sample-a and sample-b annotated it."""
    import_files(db.session, project, [(SEED_FILE.name, SEED_FILE.read_bytes())])
    return project


def claim_rows():
    record = json.loads(SEED_FILE.read_text(encoding="utf-8").splitlines()[0])
    return [
        [
            "claim"
            if any(
                s["start"] <= i < s["end"] and s["label"] == "claim"
                for s in annotator["spans"]
            )
            else "none"
            for i in range(len(record["text"]))
        ]
        for annotator in record["annotations"]
    ]


def run(runner, *args):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_text_output_gives_positive_specific_agreement_per_label(runner, sampled):
    output = run(runner, "agreement", "Alpha")
    lines = output.splitlines()
    header = next(line for line in lines if "Per label (present/absent)" in line)
    assert "positive specific agreement" in header
    assert "95% CI" in header
    claim = lines[lines.index(header) + 1].split()
    psa = positive_specific_agreement(claim_rows(), "claim")
    assert claim[0] == "claim"
    assert f"{psa:.3f}" in claim
    assert f"[{psa:.3f}," in claim  # one document: the interval is the value
    assert "how far annotators agree on where the label is" in output
    # the per-label alpha over tagged units is gone; the overall one stays
    assert "Krippendorff's alpha, claim" not in output
    assert any(
        line.strip().startswith("Krippendorff's alpha") and line.count("n=") == 2
        for line in lines
    )


def test_json_is_schema_4_with_positive_agreement(runner, sampled):
    data = json.loads(run(runner, "agreement", "Alpha", "--json"))
    assert data["schema"] == 4
    claim = data["coding"]["per_label"]["claim"]
    assert set(claim) == {"all_units", "positive_agreement"}
    assert claim["positive_agreement"]["value"] == pytest.approx(
        positive_specific_agreement(claim_rows(), "claim")
    )
    assert "tagged_units" in data["coding"]["overall"]
    assert "schema 4" in run(runner, "agreement", "--help")


def test_token_units_count_positive_agreement_in_tokens(runner, sampled):
    chars = json.loads(run(runner, "agreement", "Alpha", "--json"))
    tokens = json.loads(run(runner, "agreement", "Alpha", "--json", "--unit", "token"))
    by_char = chars["coding"]["per_label"]["claim"]["positive_agreement"]
    by_token = tokens["coding"]["per_label"]["claim"]["positive_agreement"]
    assert tokens["coding"]["unit"] == "token"
    assert 0 < by_token["n_units"] < by_char["n_units"]
