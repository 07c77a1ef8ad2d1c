"""The Agreement page and the side-by-side view, as reviewers see them."""

import html as html_module
import json
import re

import pytest
from sqlalchemy import select

from annotator.core.agreement import krippendorff_alpha, positive_specific_agreement
from annotator.extensions import db
from annotator.models import Document
from annotator.services import agreement, seeding
from annotator.services.documents import import_files
from tests.conftest import login

ALPHA, MINUS, DASH = "\u03b1", "\u2212", "\u2013"  # as the pages print them
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


def document_id(external_id):
    return db.session.scalar(
        select(Document.id).where(Document.external_id == external_id)
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def text_of(html):
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_annotators_are_refused_and_non_members_see_nothing(client, sampled):
    doc = document_id("russia-ukraine-false-flag")
    urls = [
        f"/projects/{sampled.id}/agreement",
        f"/projects/{sampled.id}/agreement/documents/{doc}",
    ]
    login(client, "annotator")
    assert "/agreement" not in page(client, f"/projects/{sampled.id}")
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.post("/logout", data={})
    client.delete_cookie("session")
    login(client, "outsider")
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("username", ["reviewer", "padmin", "siteadmin"])
def test_reviewers_and_admins_find_the_page_from_the_project(client, sampled, username):
    login(client, username)
    overview = page(client, f"/projects/{sampled.id}")
    assert f'href="/projects/{sampled.id}/agreement"' in overview
    assert "Unitizing agreement" in page(client, f"/projects/{sampled.id}/agreement")


def test_headline_shows_figures_with_n_and_interval(client, sampled):
    login(client, "reviewer")
    html = page(client, f"/projects/{sampled.id}/agreement")
    shown = text_of(html)
    assert f"Unitizing alpha ({ALPHA}u) 0.660 95% CI [0.660, 0.660]" in shown
    assert "Span F1, exact 0.471" in shown
    assert "Span F1, partial 0.652" in shown
    assert "n = 1 document · 34 spans · 2 annotators" in shown
    assert f"Boundary gap (partial {MINUS} exact F1): 0.181" in shown
    # each measure explained in one line
    assert "Unitizing alpha (Krippendorff): agreement on where spans start" in shown


def test_too_little_data_is_flagged(client, sampled):
    login(client, "reviewer")
    shown = text_of(page(client, f"/projects/{sampled.id}/agreement"))
    assert "Only 1 document compared: with fewer than 5" in shown
    assert shown.count("only 1 document: too few to trust") >= 3


def test_coding_diagnostics_are_a_section_of_their_own(client, sampled):
    login(client, "reviewer")
    html = page(client, f"/projects/{sampled.id}/agreement")
    coding = html[html.index('id="coding"') :]
    headline = html[: html.index('id="coding"')]
    assert "Krippendorff&#39;s alpha" not in headline
    shown = text_of(coding)
    assert "over all units, and over the units that at least one annotator" in shown
    assert "Krippendorff's alpha 0.648 n = 3029 0.294 n = 1090" in shown
    assert "Cohen's kappa, sample-a / sample-b 0.649" in shown


def seed_layers():
    """Per label, one row per annotator of the seed article: the label or
    "none" on every character."""
    record = json.loads(SEED_FILE.read_text(encoding="utf-8").splitlines()[0])
    length = len(record["text"])
    labels = {s["label"] for a in record["annotations"] for s in a["spans"]}
    return length, {
        label: [
            [
                label
                if any(
                    s["start"] <= i < s["end"] and s["label"] == label
                    for s in annotator["spans"]
                )
                else "none"
                for i in range(length)
            ]
            for annotator in record["annotations"]
        ]
        for label in labels
    }


def test_coding_per_label_shows_positive_specific_agreement(client, sampled):
    login(client, "reviewer")
    html = page(client, f"/projects/{sampled.id}/agreement")
    table = html[html.index('id="coding-per-label"') :]
    shown = text_of(table)
    assert (
        "Positive specific agreement (how far annotators agree on where the "
        "label is)" in shown
    )
    assert "tagged" not in shown
    length, layers = seed_layers()
    for label, rows in layers.items():
        alpha = krippendorff_alpha(rows)
        psa = positive_specific_agreement(rows, label)
        n_used = sum(any(row[i] == label for row in rows) for i in range(length))
        # one document: the bootstrap interval is the value itself
        assert (
            f"{label} {alpha:.3f} n = {length} {psa:.3f} n = {n_used} "
            f"[{psa:.3f}, {psa:.3f}]"
        ) in shown
        assert f'title="how far annotators agree on where {label} is"' in table
    # the two annotators agree exactly on false_flag_warning: over tagged
    # units alone that was "no variation"; PSA says it: 1
    assert "false_flag_warning 1.000 n = " in shown
    assert "Of the text one annotator gave the label, the share another" in shown


def test_per_label_table_pairs_heatmap_and_confusion(client, sampled):
    login(client, "reviewer")
    html = page(client, f"/projects/{sampled.id}/agreement")
    labels = text_of(html[html.index('id="labels"') : html.index('id="pairs"')])
    assert "denial 0.548 [0.548, 0.548] 0.286 0.776" in labels
    pairs = html[html.index('id="pairs"') : html.index('id="weeks"')]
    # two annotators: one pair in words, no 2x2 heatmap with one number twice
    assert 'class="matrix heatmap"' not in pairs
    assert "One pair, sample-a and sample-b: partial span F1 0.652" in text_of(pairs)
    assert "style=" not in html  # colours come from classes (CSP)
    confusion = text_of(
        html[html.index('id="confusion"') : html.index('id="documents"')]
    )
    # the hedges nested in claims are groups of their own on the review page:
    # hedge meets none there, not claim
    assert "claim 10 1 0 0 5" in confusion
    assert "hedge 0 0 6 0 3" in confusion


def test_documents_link_to_the_side_by_side_view(client, sampled):
    login(client, "reviewer")
    html = page(client, f"/projects/{sampled.id}/agreement")
    doc = document_id("russia-ukraine-false-flag")
    link = f'href="/projects/{sampled.id}/agreement/documents/{doc}"'
    assert link in html
    listed = text_of(html[html.index('id="documents"') :])
    assert "0.348" in listed
    # the review page's 21 groups of this document, 13 of them disagreeing
    assert "Disagreeing groups" in listed
    assert "13 of 21" in listed


def test_side_by_side_shows_both_annotators_and_classifies(client, sampled):
    login(client, "reviewer")
    doc = document_id("russia-ukraine-false-flag")
    html = page(client, f"/projects/{sampled.id}/agreement/documents/{doc}?names=shown")
    shown = text_of(html)
    assert "sample-a 18 spans" in shown
    assert "sample-b 16 spans" in shown
    assert f"2061{DASH}2141 same span, different label" in shown
    assert f"615{DASH}673 overlapping, different boundaries" in shown
    assert f"245{DASH}262 marked by only some annotators" in shown
    # the first claim, marked in both rows, by label class
    claim = (
        '<mark class="seg lbl-0" title="claim">Russia was still building '
        "troops around Ukraine on Wednesday</mark>"
    )
    assert html.count(claim) == 2
    assert '<mark class="seg lbl-2 stacked" title="claim + hedge">' in html


def test_side_by_side_escapes_the_text(client, project):
    text = "Officials said <script>alert(1)</script> & more."
    record = {
        "id": "xss",
        "text": text,
        "annotations": [
            {"annotator": name, "spans": [{"start": 15, "end": 40, "label": "claim"}]}
            for name in ("ann-a", "ann-b")
        ],
    }
    import_files(db.session, project, [("x.jsonl", json.dumps(record).encode())])
    login(client, "reviewer")
    html = page(
        client, f"/projects/{project.id}/agreement/documents/{document_id('xss')}"
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert " &amp; more." in html


def test_document_ids_are_scoped_to_the_project(client, sampled, other_project):
    import_files(db.session, other_project, [("b.txt", b"Beta's secret article.")])
    secret = db.session.scalar(
        select(Document.id).where(Document.project_id == other_project.id)
    )
    login(client, "padmin")
    response = client.get(f"/projects/{sampled.id}/agreement/documents/{secret}")
    assert response.status_code == 404
    assert b"Beta's secret" not in response.data


def test_a_document_not_yet_compared_says_so(client, project):
    import_files(db.session, project, [("one.txt", b"Nobody submitted this.")])
    login(client, "reviewer")
    shown = text_of(page(client, f"/projects/{project.id}/agreement"))
    assert "No document has been submitted by two annotators yet" in shown
    assert "1 of 1 documents left out (1: no annotator has submitted it)" in shown
    assert "not defined: only one annotator" in shown
    doc = page(
        client, f"/projects/{project.id}/agreement/documents/{document_id('one')}"
    )
    assert "Not in the agreement figures" in doc
    assert "No annotator has submitted this document yet." in doc


def test_token_units_switch_the_coding_section(client, sampled):
    login(client, "reviewer")
    html = page(client, f"/projects/{sampled.id}/agreement?unit=token")
    coding = text_of(html[html.index('id="coding"') :])
    assert "every token as a unit" in coding
    assert "Units: characters · tokens" in coding
    assert client.get(f"/projects/{sampled.id}/agreement?unit=word").status_code == 400


def test_a_reviewer_annotating_a_document_cannot_compare_it(client, sampled, users):
    from annotator.services import assignments
    from annotator.services.annotations import assignment_for, set_status

    sampled.annotators_per_document = 3
    db.session.commit()
    reviewer = users["reviewer"]
    document = assignments.next_document(db.session, sampled, reviewer)
    url = f"/projects/{sampled.id}/agreement/documents/{document.id}"
    login(client, "reviewer")
    refused = client.get(url)
    assert refused.status_code == 403
    assert "annotation is blind" in refused.get_data(as_text=True)
    version = assignment_for(db.session, document, reviewer).version
    set_status(
        db.session, document, reviewer, {"version": version, "status": "submitted"}
    )
    assert client.get(url).status_code == 200
