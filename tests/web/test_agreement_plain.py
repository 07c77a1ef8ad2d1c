"""The agreement page in plain language: verdicts, charts drawn as SVG with
their numbers as text, agreement per week, member progress, the pair heatmap
only with three annotators or more, and names hidden on a document."""

import json
from datetime import datetime

import pytest
from sqlalchemy import update

from annotator.extensions import db
from annotator.models import Assignment
from annotator.services import agreement
from annotator.services.documents import import_files
from tests.conftest import login
from tests.web.test_agreement_web import document_id, page, text_of

TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so, or not."


@pytest.fixture(autouse=True)
def fresh_cache():
    agreement.clear_cache()
    yield
    agreement.clear_cache()


def record(doc_id, spans_by_annotator):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [{"start": s, "end": e, "label": x} for s, e, x in spans],
            }
            for name, spans in spans_by_annotator.items()
        ],
    }


def load(project, *records):
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])


AGREE = {"ann": [(0, 33, "claim")], "bob": [(0, 33, "claim")]}
DIFFER = {"ann": [(0, 33, "claim"), (35, 49, "denial")], "bob": [(0, 20, "hedge")]}


def submitted_on(external_id, moment):
    doc = document_id(external_id)
    db.session.execute(
        update(Assignment)
        .where(Assignment.document_id == doc)
        .values(updated_at=moment)
    )
    db.session.commit()


def section(html, name, following):
    return html[html.index(f'id="{name}"') : html.index(f'id="{following}"')]


def test_each_headline_figure_has_a_verdict_and_a_reading(client, project):
    load(project, record("d1", AGREE))
    login(client, "reviewer")
    html = page(client, f"/projects/{project.id}/agreement")
    headline = text_of(section(html, "headline", "progress"))
    # one document where both drew the same claim: everything is 1.000
    assert headline.count("✔ reliable") == 3
    assert "The annotators agree well enough to rely on their spans." in headline
    assert "But only 1 document: too few to trust." in headline
    scale = text_of(html[html.index('id="scale"') :])
    assert "at 0.800 and above" in scale
    assert "Krippendorff" in scale


def test_a_figure_that_cannot_be_computed_gets_no_verdict(client, project):
    load(project, record("d1", {"ann": [], "bob": []}))
    login(client, "reviewer")
    headline = text_of(
        section(
            page(client, f"/projects/{project.id}/agreement"), "headline", "progress"
        )
    )
    assert headline.count("no verdict") == 3
    assert "✔" not in headline
    assert "No verdict" not in headline  # the badge says it; the reading says why
    assert "no spans" in headline


def test_per_label_chart_is_svg_with_a_title_and_its_numbers(client, project):
    load(project, record("d1", AGREE), record("d2", DIFFER))
    login(client, "reviewer")
    html = page(client, f"/projects/{project.id}/agreement")
    labels = section(html, "labels", "pairs")
    assert '<svg class="chart"' in labels
    assert 'role="img"' in labels
    assert '<title id="label-chart-title">Agreement per label' in labels
    claim = agreement.project_agreement(db.session, project).report
    value = claim.unitizing.f1_partial.per_label["claim"].value
    assert f">{value:.3f} [" in labels  # the number is written beside its dot
    assert "—, no spans with this label" in text_of(labels)  # false_flag_warning


def test_two_annotators_get_a_sentence_three_get_a_heatmap(client, project):
    load(project, record("d1", AGREE))
    login(client, "reviewer")
    pairs = section(page(client, f"/projects/{project.id}/agreement"), "pairs", "weeks")
    assert 'class="matrix heatmap"' not in pairs
    assert "One pair, ann and bob" in text_of(pairs)
    agreement.clear_cache()
    load(project, record("d2", {**AGREE, "cat": [(0, 30, "claim")]}))
    pairs = section(page(client, f"/projects/{project.id}/agreement"), "pairs", "weeks")
    assert 'class="matrix heatmap"' in pairs
    assert "One pair" not in pairs
    assert text_of(pairs).count("2 documents") == 2  # ann-bob, both halves


def test_agreement_per_week_of_submission(client, project):
    load(project, record("d1", AGREE), record("d2", DIFFER), record("d3", AGREE))
    submitted_on("d1", datetime(2026, 3, 2, 9))  # a Monday: week 10
    submitted_on("d2", datetime(2026, 3, 8, 23))  # its Sunday: week 10 too
    submitted_on("d3", datetime(2026, 3, 9, 0))  # the next Monday: week 11
    login(client, "reviewer")
    html = page(client, f"/projects/{project.id}/agreement")
    weeks = section(html, "weeks", "confusion")
    table = text_of(weeks[weeks.index('id="weeks-table"') :])
    assert "2026-W10 from 02 Mar 2026 2" in table
    assert "2026-W11 from 09 Mar 2026 1 1.000 1.000 ✔ reliable" in table
    assert "1 document: too few to trust" in table
    assert '<title id="week-chart-title">Agreement per week' in weeks
    assert weeks.count('class="mark hollow') == 4  # both weeks thin, two series


def test_one_week_says_the_chart_needs_two(client, project):
    load(project, record("d1", AGREE))
    login(client, "reviewer")
    weeks = section(
        page(client, f"/projects/{project.id}/agreement"), "weeks", "confusion"
    )
    assert "the chart needs two weeks or more" in text_of(weeks)
    assert "<svg" not in weeks


def test_member_progress_is_on_the_agreement_page(client, project):
    load(project, record("d1", AGREE), record("d2", {"ann": [(0, 5, "claim")]}))
    login(client, "reviewer")
    progress = text_of(
        section(page(client, f"/projects/{project.id}/agreement"), "progress", "labels")
    )
    assert "1 of 2 complete (2 annotators each) · 1 waiting for more annotators" in (
        progress
    )
    assert "ann annotator 2 2 0 0 100%" in progress
    assert "bob annotator 1 1 0 0 100%" in progress
    assert "reviewer reviewer 0 0 0 0 nothing assigned yet" in progress


def test_the_document_page_hides_names_unless_asked(client, project):
    load(project, record("d1", DIFFER))
    login(client, "reviewer")
    url = f"/projects/{project.id}/agreement/documents/{document_id('d1')}"
    hidden = text_of(page(client, url))
    assert "ann" not in hidden.replace("annotator", "")
    assert "A 2 spans" in hidden
    assert "B 1 span" in hidden
    assert "show names" in hidden
    shown = text_of(page(client, f"{url}?names=shown"))
    assert "ann 2 spans" in shown
    assert "bob 1 span" in shown
    assert "hide names" in shown
