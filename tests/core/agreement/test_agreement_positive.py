"""Positive specific agreement per label: the worked example of
docs/agreement.md by hand, its edge cases, scikit-learn's F1, and the figure
the report gives in place of the per-label "tagged units" alpha.

The example (docs/agreement.md, "Positive specific agreement"): a document of
20 characters; annotator A gives claim to characters 0-9, B to 4-13, C (the
three-annotator variant) to 0-9.

    A: cccccccccc..........      a (both) = 4..9   = 6
    B: ....cccccccccc......      b (A only) = 0..3 = 4, c (B only) = 10..13 = 4

    PSA(A, B) = 2a / (2a + b + c) = 12 / (12 + 4 + 4) = 0.6
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

from annotator.core.agreement import (
    REASON_LABEL_UNUSED,
    REASON_ONE_ANNOTATOR,
    AgreementReport,
    DocumentAnnotations,
    UndefinedAgreementError,
    agreement_report,
    krippendorff_alpha,
    positive_agreement,
    positive_specific_agreement,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
LENGTH = 20
A = [(0, 10, "claim")]
B = [(4, 14, "claim")]
C = [(0, 10, "claim")]


def layer(spans: list[tuple[int, int, str]], label: str = "claim") -> list[str]:
    """One annotator's row: the label or "none" for every character."""
    return [
        label if any(s <= i < e and lab == label for s, e, lab in spans) else "none"
        for i in range(LENGTH)
    ]


# --------------------------------------------------------------------------
# The measure
# --------------------------------------------------------------------------


def test_worked_example_by_hand() -> None:
    # a = 6 characters both tagged, b = 4 only A, c = 4 only B
    assert positive_agreement([(6, 4, 4)]) == pytest.approx(12 / 20)
    assert positive_specific_agreement([layer(A), layer(B)], "claim") == 0.6


def test_three_annotators_pool_the_pair_counts() -> None:
    # A-B: (6, 4, 4); A-C: (10, 0, 0); B-C: (6, 4, 4)
    # sum 2a = 12 + 20 + 12 = 44; sum (b + c) = 8 + 0 + 8 = 16
    expected = 44 / (44 + 16)
    assert positive_agreement([(6, 4, 4), (10, 0, 0), (6, 4, 4)]) == pytest.approx(
        expected
    )
    rows = [layer(A), layer(B), layer(C)]
    assert positive_specific_agreement(rows, "claim") == pytest.approx(expected)
    # not the mean of the pairs' figures (0.6, 1.0, 0.6 -> 0.7333 too here,
    # since every pair has 20 uses), but the pooled counts: with unequal use
    # the two differ
    pairs = [(1, 0, 0), (1, 9, 9)]
    assert positive_agreement(pairs) == pytest.approx(4 / 22)
    assert positive_agreement(pairs) != pytest.approx((1.0 + 2 / 20) / 2)


def test_perfect_agreement_is_one() -> None:
    assert positive_agreement([(7, 0, 0)]) == 1.0
    assert positive_specific_agreement([layer(A), layer(C)], "claim") == 1.0


def test_one_annotator_never_using_the_label_is_zero() -> None:
    assert positive_agreement([(0, 10, 0)]) == 0.0
    assert positive_specific_agreement([layer(A), layer([])], "claim") == 0.0


def test_no_use_of_the_label_is_undefined() -> None:
    with pytest.raises(UndefinedAgreementError) as raised:
        positive_agreement([(0, 0, 0), (0, 0, 0)])
    assert raised.value.reason == REASON_LABEL_UNUSED
    with pytest.raises(UndefinedAgreementError):
        positive_specific_agreement([layer(A), layer(B)], "hedge")
    with pytest.raises(UndefinedAgreementError) as raised:
        positive_agreement([])
    assert raised.value.reason == REASON_LABEL_UNUSED


def test_missing_values_and_bad_input() -> None:
    # only units both coded count: A's use where B gave no value is left out
    rows = [["claim", "claim", "none"], [None, "claim", "claim"]]
    assert positive_specific_agreement(rows, "claim") == pytest.approx(2 / 3)
    # label sets (one annotator's overlapping labels) use every label in them
    sets = [[frozenset({"claim", "hedge"})], [frozenset({"claim"})]]
    assert positive_specific_agreement(sets, "claim") == 1.0
    assert positive_specific_agreement(sets, "hedge") == 0.0
    with pytest.raises(UndefinedAgreementError) as raised:
        positive_specific_agreement([layer(A)], "claim")
    assert raised.value.reason == REASON_ONE_ANNOTATOR
    with pytest.raises(ValueError, match="one value per unit"):
        positive_specific_agreement([["claim"], ["claim", "none"]], "claim")
    with pytest.raises(ValueError, match=">= 0"):
        positive_agreement([(1, -1, 0)])


@SETTINGS
@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60).filter(
        lambda units: any(x or y for x, y in units)
    )
)
def test_two_annotators_equal_sklearn_f1(units: list[tuple[bool, bool]]) -> None:
    first = [x for x, _ in units]
    second = [y for _, y in units]
    rows = [
        ["claim" if x else "none" for x in first],
        ["claim" if y else "none" for y in second],
    ]
    expected = f1_score(first, second, zero_division=0.0)
    assert positive_specific_agreement(rows, "claim") == pytest.approx(expected)


@SETTINGS
@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=60).filter(
        lambda units: len(set(units)) > 1 and any(x or y for x, y in units)
    )
)
def test_why_tagged_units_alpha_was_dropped(units: list[tuple[bool, bool]]) -> None:
    """Over only the units either annotator tagged, alpha of a present/absent
    layer is (1 - d) / (2n - d) (krippendorff package): at most 0 whenever
    the two disagree on a unit, whatever else they do."""
    tagged = [(x, y) for x, y in units if x or y]
    n, d = len(tagged), sum(x != y for x, y in tagged)
    data = np.array([[float(x) for x, _ in tagged], [float(y) for _, y in tagged]])
    if d == 0:  # every value "present": no variation, alpha undefined
        return
    expected = (1 - d) / (2 * n - d)
    assert krippendorff.alpha(data, level_of_measurement="nominal") == pytest.approx(
        expected
    )
    assert krippendorff_alpha(data) == pytest.approx(expected)
    assert expected <= 0


# --------------------------------------------------------------------------
# In the report
# --------------------------------------------------------------------------


def report_of(**annotations: list[tuple[int, int, str]]) -> AgreementReport:
    document = DocumentAnnotations("d", dict(annotations), text_length=LENGTH)
    return agreement_report([document], labels=["claim", "hedge"], n_bootstrap=0)


def test_report_gives_the_worked_example() -> None:
    report = report_of(A=A, B=B)
    figure = report.coding.per_label["claim"].positive_agreement
    assert figure.value == pytest.approx(0.6)
    # n: the 14 characters someone gave claim, in 1 document, 2 annotators
    assert (figure.n_units, figure.n_documents, figure.n_annotators) == (14, 1, 2)
    # the all-units alpha stays: 1 - (16/40) / (2*20*20 / (40*39)) = 0.22
    alpha = report.coding.per_label["claim"].all_units.krippendorff_alpha
    assert alpha.value == pytest.approx(0.22)
    unused = report.coding.per_label["hedge"].positive_agreement
    assert (unused.value, unused.reason, unused.n_units) == (
        None,
        REASON_LABEL_UNUSED,
        0,
    )
    three = report_of(A=A, B=B, C=C).coding.per_label["claim"]
    assert three.positive_agreement.value == pytest.approx(44 / 60)


def test_report_counts_tokens_with_unit_token() -> None:
    text = "Officials said the vaccine is unsafe today"
    document = DocumentAnnotations(
        "t",
        # A: "the vaccine is unsafe"; B: "vaccine is unsafe today"
        {"A": [(15, 36, "claim")], "B": [(19, 42, "claim")]},
        text=text,
    )
    report = agreement_report([document], unit="token", n_bootstrap=0)
    figure = report.coding.per_label["claim"].positive_agreement
    # tokens: a = vaccine, is, unsafe (3); b = the (1); c = today (1)
    assert figure.value == pytest.approx(6 / 8)
    assert figure.n_units == 5
    chars = agreement_report([document], n_bootstrap=0)
    # characters: a = 17 ("vaccine is unsafe"), b = 4 ("the "), c = 6 (" today")
    assert chars.coding.per_label["claim"].positive_agreement.value == pytest.approx(
        34 / 44
    )


def test_documents_one_annotator_saw_do_not_count() -> None:
    documents = [
        DocumentAnnotations("d", {"A": A, "B": B}, text_length=LENGTH),
        # seen by A alone: not compared, its claim is no disagreement
        DocumentAnnotations("e", {"A": [(0, 20, "claim")]}, text_length=LENGTH),
        # seen by both, no claim at all: nothing to count
        DocumentAnnotations("f", {"A": [], "B": []}, text_length=LENGTH),
    ]
    report = agreement_report(documents, labels=["claim"], n_bootstrap=0)
    figure = report.coding.per_label["claim"].positive_agreement
    assert figure.value == pytest.approx(0.6)
    assert (figure.n_units, figure.n_documents) == (14, 1)


def test_bootstrap_interval_resamples_documents() -> None:
    """The interval equals percentiles of the figure recomputed on resampled
    document lists, drawn as the report draws them."""
    rng = np.random.default_rng(3)
    documents = []
    for d in range(10):
        annotations = {}
        for name in ("A", "B"):
            start = int(rng.integers(0, 30))
            annotations[name] = [(start, start + int(rng.integers(5, 20)), "claim")]
        documents.append(DocumentAnnotations(f"d{d}", annotations, text_length=60))
    report = agreement_report(documents, n_bootstrap=40, seed=9)
    picks = np.random.default_rng(9).integers(0, 10, size=(40, 10))
    values = []
    for row in picks:
        resampled = [
            DocumentAnnotations(f"r{k}", documents[i].annotations, text_length=60)
            for k, i in enumerate(row)
        ]
        again = agreement_report(resampled, n_bootstrap=0)
        values.append(again.coding.per_label["claim"].positive_agreement.value)
    figure = report.coding.per_label["claim"].positive_agreement
    assert (figure.ci_low, figure.ci_high) == pytest.approx(
        tuple(np.percentile(values, [2.5, 97.5])), abs=1e-9
    )
    assert figure.ci_low < figure.ci_high
    off = agreement_report(documents, n_bootstrap=0)
    assert off.coding.per_label["claim"].positive_agreement.ci_low is None


def test_overall_tagged_units_with_one_label_are_left_out() -> None:
    """Over tagged units with a single label, the overall figures are the
    per-label ones (at most 0): undefined, with the reason; with two labels
    they measure agreement on which label and stay."""
    one = report_of(A=A, B=B).coding
    assert one.overall.tagged_units.krippendorff_alpha.value is None
    assert "only one label" in one.overall.tagged_units.krippendorff_alpha.reason
    assert one.cohen_kappa[0].tagged_units.value is None
    assert one.overall.tagged_units.percent_agreement.value == pytest.approx(6 / 14)
    two = report_of(
        A=[(0, 10, "claim"), (12, 18, "hedge")], B=[(0, 10, "claim"), (12, 17, "hedge")]
    ).coding
    rows = [
        ["claim"] * 10 + ["none"] * 2 + ["hedge"] * 6 + ["none"] * 2,
        ["claim"] * 10 + ["none"] * 2 + ["hedge"] * 5 + ["none"] * 3,
    ]
    tagged = [[row[i] for i in range(LENGTH) if i < 10 or 12 <= i < 18] for row in rows]
    assert two.overall.tagged_units.krippendorff_alpha.value == pytest.approx(
        krippendorff_alpha(tagged)
    )
    assert two.overall.tagged_units.krippendorff_alpha.value > 0.8
