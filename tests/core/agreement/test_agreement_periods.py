"""Headline figures per period (the page's agreement per week): each period's
figures are the headline of a report on that period's documents alone."""

from __future__ import annotations

import pytest

from annotator.core.agreement import DocumentAnnotations, agreement_report
from annotator.core.agreement.measures import REASON_NO_SPANS
from tests.core.agreement.test_agreement_report import sample_corpus


def test_each_period_has_the_headline_of_its_documents_alone() -> None:
    documents = sample_corpus(9, seed=3)
    weeks = ["2026-W02", "2026-W01", "2026-W02"] * 3
    report = agreement_report(documents, n_bootstrap=0, periods=weeks)
    assert [p.period for p in report.periods] == ["2026-W01", "2026-W02"]
    for found in report.periods:
        alone = agreement_report(
            [
                d
                for d, week in zip(documents, weeks, strict=True)
                if week == found.period
            ],
            n_bootstrap=0,
        )
        figures = alone.unitizing
        assert found.n_documents == alone.n_compared_documents
        assert found.n_spans == alone.n_spans
        for mine, theirs in (
            (found.alpha_u, figures.alpha_u.overall),
            (found.f1_exact, figures.f1_exact.overall),
            (found.f1_partial, figures.f1_partial.overall),
        ):
            assert mine.value == pytest.approx(theirs.value, abs=1e-12)
            assert (mine.ci_low, mine.ci_high) == (None, None)


def test_documents_not_compared_are_left_out_and_empty_periods_say_why() -> None:
    documents = [
        DocumentAnnotations("one", {"ann": [(0, 4, "claim")]}, text_length=20),
        DocumentAnnotations("two", {"ann": [], "bob": []}, text_length=20),
        DocumentAnnotations(
            "three",
            {"ann": [(0, 4, "claim")], "bob": [(0, 4, "claim")]},
            text_length=20,
        ),
    ]
    report = agreement_report(
        documents, n_bootstrap=0, periods=["W1", "W2", "W3"], labels=["claim"]
    )
    by_period = {p.period: p for p in report.periods}
    assert set(by_period) == {"W2", "W3"}  # "one" has a single annotator
    assert by_period["W2"].f1_partial.value is None
    assert by_period["W2"].f1_partial.reason == REASON_NO_SPANS
    assert by_period["W3"].f1_exact.value == 1.0
    assert by_period["W3"].n_spans == 2


def test_periods_must_name_every_document() -> None:
    with pytest.raises(ValueError, match="one period per document"):
        agreement_report(sample_corpus(2, seed=1), periods=["W1"])
