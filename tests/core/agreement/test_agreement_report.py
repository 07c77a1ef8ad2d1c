"""The agreement report: figures against straightforward re-computations.

The report computes everything for all documents at once (runs of characters,
overlap joins, pooled sums); here each figure is recomputed the slow way,
character by character or document by document, with the public functions
that test_agreement_coding and test_agreement_unitizing check against the
published examples and reference packages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.agreement import (
    EXPLANATIONS,
    REASON_LABEL_UNUSED,
    REASON_NO_LABEL_SPANS,
    REASON_NO_SPANS,
    REASON_NO_VARIATION,
    REASON_ONE_ANNOTATOR,
    DocumentAnnotations,
    Estimate,
    UndefinedAgreementError,
    agreement_report,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    positive_specific_agreement,
    unitizing_disagreements,
)
from annotator.core.agreement.coding import REASON_NO_TAGGED, REASON_ONE_TAGGED_VALUE
from annotator.core.diff import GroupKind, align, disagreement_rank
from annotator.core.spans import Span
from annotator.core.tokens import tokenize, tokens_covering

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
LABELS = ("x", "y")
ANNOTATORS = ("a", "b", "c")

Spans = list[tuple[int, int, str]]


@st.composite
def corpora(draw: st.DrawFn) -> list[DocumentAnnotations]:
    documents = []
    for d in range(draw(st.integers(1, 4))):
        length = draw(st.integers(1, 30))
        annotators = draw(st.sets(st.sampled_from(ANNOTATORS), max_size=3))
        annotations: dict[str | int, Spans] = {}
        for annotator in sorted(annotators):
            spans = []
            for _ in range(draw(st.integers(0, 4))):
                start = draw(st.integers(0, length - 1))
                end = draw(st.integers(start + 1, length))
                spans.append((start, end, draw(st.sampled_from(LABELS))))
            annotations[annotator] = spans
        documents.append(DocumentAnnotations(f"d{d}", annotations, text_length=length))
    return documents


def value_or_none(call: Callable[[], float]) -> float | None:
    try:
        return call()
    except UndefinedAgreementError:
        return None


def check(estimate: Estimate, expected: float | None) -> None:
    if expected is None:
        assert estimate.value is None
        assert estimate.reason
    else:
        assert estimate.reason is None, estimate.reason
        assert estimate.value == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------
# Coding: one unit per character (or token), slowly
# --------------------------------------------------------------------------


def coded_rows(
    documents: Sequence[tuple[int, dict[Any, Spans]]],
    annotators: Sequence[Any],
    value: Callable[[set[str]], str],
) -> list[list[str | None]]:
    rows: list[list[str | None]] = [[] for _ in annotators]
    for length, by_annotator in documents:
        for position in range(length):
            for row, annotator in zip(rows, annotators, strict=True):
                if annotator not in by_annotator:
                    row.append(None)
                    continue
                covering = {
                    label
                    for start, end, label in by_annotator[annotator]
                    if start <= position < end
                }
                row.append(value(covering))
    return rows


def overall_value(covering: set[str]) -> str:
    return "+".join(sorted(covering)) or "none"


def fleiss_of_rows(rows: list[list[str | None]]) -> float | None:
    columns = [
        [v for v in column if v is not None] for column in zip(*rows, strict=True)
    ]
    columns = [c for c in columns if len(c) >= 2]
    if not columns or len({len(c) for c in columns}) > 1:
        return None
    categories = sorted({v for c in columns for v in c})
    table = [[c.count(k) for k in categories] for c in columns]
    return value_or_none(lambda: fleiss_kappa(table))


def tagged_only(rows: list[list[str | None]]) -> list[list[str | None]]:
    keep = [
        i
        for i, column in enumerate(zip(*rows, strict=True))
        if any(v not in (None, "none") for v in column)
    ]
    return [[row[i] for i in keep] for row in rows]


def check_coding(scores: Any, rows: list[list[str | None]]) -> None:
    check(scores.krippendorff_alpha, value_or_none(lambda: krippendorff_alpha(rows)))
    check(scores.percent_agreement, value_or_none(lambda: percent_agreement(rows)))
    check(scores.fleiss_kappa, fleiss_of_rows(rows))


def one_tagged_value(rows: list[list[str | None]]) -> bool:
    """Whether the units two or more annotators coded carry one label value."""
    pairable = [c for c in zip(*rows, strict=True) if sum(v is not None for v in c) > 1]
    return len({v for c in pairable for v in c if v not in (None, "none")}) == 1


def check_tagged(scores: Any, rows: list[list[str | None]]) -> None:
    """Over tagged units; alpha and kappa are left out with one label value."""
    if not one_tagged_value(rows):
        check_coding(scores, rows)
        return
    assert scores.krippendorff_alpha.reason == REASON_ONE_TAGGED_VALUE
    assert scores.fleiss_kappa.reason == REASON_ONE_TAGGED_VALUE
    check(scores.percent_agreement, value_or_none(lambda: percent_agreement(rows)))


@SETTINGS
@given(corpora())
def test_coding_matches_unit_by_unit(documents: list[DocumentAnnotations]) -> None:
    report = agreement_report(documents, n_bootstrap=0)
    annotators = report.annotators
    plain = [(doc.length, dict(doc.annotations)) for doc in documents]
    rows = coded_rows(plain, annotators, overall_value)
    check_coding(report.coding.overall.all_units, rows)
    check_tagged(report.coding.overall.tagged_units, tagged_only(rows))
    for label in report.labels:
        layer = coded_rows(
            plain, annotators, lambda c, k=label: k if k in c else "none"
        )
        check_coding(report.coding.per_label[label].all_units, layer)
        check(
            report.coding.per_label[label].positive_agreement,
            value_or_none(lambda r=layer, k=label: positive_specific_agreement(r, k)),
        )
    by_pair = {pair.annotators: pair for pair in report.coding.cohen_kappa}
    for i, first in enumerate(annotators):
        for j in range(i + 1, len(annotators)):
            pair_rows = [rows[i], rows[j]]
            shared = [
                k for k in range(len(rows[i])) if None not in (rows[i][k], rows[j][k])
            ]
            if not shared:
                assert (first, annotators[j]) not in by_pair
                continue
            figure = by_pair[(first, annotators[j])]
            check(figure.all_units, value_or_none(lambda r=pair_rows: cohen_kappa(*r)))
            tagged = tagged_only([[r[k] for k in shared] for r in pair_rows])
            if one_tagged_value(tagged):
                assert figure.tagged_units.reason == REASON_ONE_TAGGED_VALUE
                continue
            check(
                figure.tagged_units,
                value_or_none(lambda t=tagged: cohen_kappa(*t)) if tagged[0] else None,
            )


def test_token_units_match_tokens_covering() -> None:
    text = "Officials said the vaccine is unsafe; others deny it, maybe."
    annotations = {
        "a": [(0, 14, "claim"), (19, 36, "claim"), (45, 52, "denial")],
        "b": [(2, 13, "claim"), (19, 30, "hedge"), (54, 59, "hedge")],
    }
    document = DocumentAnnotations("t", annotations, text=text)
    report = agreement_report([document], unit="token", n_bootstrap=0)
    tokens = tokenize(text)
    by_token = {
        annotator: [(*tokens_covering(tokens, s, e), label) for s, e, label in spans]
        for annotator, spans in annotations.items()
    }
    rows = coded_rows([(len(tokens), by_token)], ["a", "b"], overall_value)
    assert report.coding.unit == "token"
    assert report.coding.overall.all_units.krippendorff_alpha.n_units == len(tokens)
    check_coding(report.coding.overall.all_units, rows)
    check_tagged(report.coding.overall.tagged_units, tagged_only(rows))
    # unitizing stays in characters
    char_report = agreement_report([document], n_bootstrap=0)
    assert report.unitizing == char_report.unitizing
    with pytest.raises(ValueError, match="text"):
        agreement_report(
            [DocumentAnnotations("n", {"a": []}, text_length=3)], unit="token"
        )


# --------------------------------------------------------------------------
# Unitizing: document by document
# --------------------------------------------------------------------------


def pooled_alpha(
    documents: list[DocumentAnnotations], label: str | None
) -> float | None:
    """1 - Σ L² D_o / Σ L² D_e over documents seen by two or more annotators."""
    observed = expected = 0.0
    for doc in documents:
        if len(doc.annotations) < 2:
            continue
        units = [
            (a, s, e, lab)
            for a, spans in doc.annotations.items()
            for s, e, lab in spans  # type: ignore[misc]
        ]
        per_label = unitizing_disagreements(
            doc.length, units, annotators=doc.annotations
        )
        for name, (d_o, d_e) in per_label.items():
            if label is None or name == label:
                observed += d_o * doc.length**2
                expected += d_e * doc.length**2
    return None if expected <= 0 else 1.0 - observed / expected


def merged(spans: Spans) -> Spans:
    result: Spans = []
    for start, end, label in sorted(set(spans), key=lambda s: (s[2], s[0], s[1])):
        if result and result[-1][2] == label and start < result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end), label)
        else:
            result.append((start, end, label))
    return result


def pair_f1(
    documents: list[DocumentAnnotations], first: str, second: str,
    label: str | None, partial: bool,
) -> float | None:  # fmt: skip
    """Micro-averaged over documents both saw; ``first`` is the reference."""
    p_num = r_num = n_ref = n_cand = 0.0
    for doc in documents:
        if first not in doc.annotations or second not in doc.annotations:
            continue
        ref = [s for s in merged(list(doc.annotations[first])) if label in (None, s[2])]  # type: ignore[arg-type]
        cand = [
            s for s in merged(list(doc.annotations[second])) if label in (None, s[2])
        ]  # type: ignore[arg-type]
        n_ref += len(ref)
        n_cand += len(cand)
        for cs, ce, cl in cand:
            for rs, re_, rl in ref:
                overlap = min(ce, re_) - max(cs, rs)
                if cl != rl or overlap <= 0:
                    continue
                if partial:
                    p_num += overlap / (ce - cs)
                    r_num += overlap / (re_ - rs)
                elif (cs, ce) == (rs, re_):
                    p_num += 1
                    r_num += 1
    if n_ref + n_cand == 0:
        return None
    p = p_num / n_cand if n_cand else 0.0
    r = r_num / n_ref if n_ref else 0.0
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def mean_f1(
    documents: list[DocumentAnnotations], annotators: Sequence[str],
    label: str | None, partial: bool,
) -> float | None:  # fmt: skip
    values = [
        pair_f1(documents, a, b, label, partial)
        for i, a in enumerate(annotators)
        for b in annotators[i + 1 :]
    ]
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


@SETTINGS
@given(corpora())
def test_unitizing_matches_document_by_document(
    documents: list[DocumentAnnotations],
) -> None:
    report = agreement_report(documents, n_bootstrap=0)
    figures = report.unitizing
    annotators = [str(a) for a in report.annotators]
    check(figures.alpha_u.overall, pooled_alpha(documents, None))
    for partial, by_label in ((False, figures.f1_exact), (True, figures.f1_partial)):
        check(by_label.overall, mean_f1(documents, annotators, None, partial))
        for label in report.labels:
            check(
                by_label.per_label[label],
                mean_f1(documents, annotators, label, partial),
            )
    for label in report.labels:
        check(figures.alpha_u.per_label[label], pooled_alpha(documents, label))
    for pair in figures.pairs:
        a, b = (str(x) for x in pair.annotators)
        check(pair.f1_exact, pair_f1(documents, a, b, None, False))
        check(pair.f1_partial, pair_f1(documents, a, b, None, True))
    for entry in report.documents:
        doc = next(d for d in documents if d.document_id == entry.document_id)
        names = sorted(str(a) for a in doc.annotations)
        expected = mean_f1([doc], names, None, True) if len(names) >= 2 else None
        if expected is None:
            assert entry.disagreement is None
            assert entry.reason
        else:
            assert entry.disagreement == pytest.approx(1 - expected, abs=1e-9)
        alpha = pooled_alpha([doc], None)
        assert entry.alpha_u == (None if alpha is None else pytest.approx(alpha))


# --------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------


def sample_corpus(n_docs: int, seed: int) -> list[DocumentAnnotations]:
    rng = np.random.default_rng(seed)
    documents = []
    for d in range(n_docs):
        length = int(rng.integers(40, 120))
        annotations = {}
        for annotator in ANNOTATORS:
            spans = []
            for _ in range(int(rng.integers(1, 4))):
                start = int(rng.integers(0, length - 10))
                spans.append((start, start + int(rng.integers(1, 10)), LABELS[d % 2]))
            annotations[annotator] = spans
        documents.append(
            DocumentAnnotations(f"doc{d}", annotations, text_length=length)
        )
    return documents


def test_bootstrap_resamples_documents() -> None:
    """The interval equals percentiles of the figure recomputed on resampled
    document lists, drawn as the report draws them."""
    documents = sample_corpus(12, seed=5)
    report = agreement_report(documents, n_bootstrap=40, seed=9)
    picks = np.random.default_rng(9).integers(0, 12, size=(40, 12))
    alphas, partials = [], []
    for row in picks:
        resampled = [
            DocumentAnnotations(
                f"r{k}", documents[i].annotations, text_length=documents[i].length
            )
            for k, i in enumerate(row)
        ]
        again = agreement_report(resampled, n_bootstrap=0).unitizing
        alphas.append(again.alpha_u.overall.value)
        partials.append(again.f1_partial.overall.value)
    overall = report.unitizing.alpha_u.overall
    assert (overall.ci_low, overall.ci_high) == pytest.approx(
        tuple(np.percentile(alphas, [2.5, 97.5])), abs=1e-9
    )
    partial = report.unitizing.f1_partial.overall
    assert (partial.ci_low, partial.ci_high) == pytest.approx(
        tuple(np.percentile(partials, [2.5, 97.5])), abs=1e-9
    )


def test_bootstrap_is_reproducible() -> None:
    documents = sample_corpus(30, seed=1)
    first = agreement_report(documents, n_bootstrap=200, seed=4).to_dict()
    assert agreement_report(documents, n_bootstrap=200, seed=4).to_dict() == first
    other = agreement_report(documents, n_bootstrap=200, seed=5).to_dict()
    assert (
        other["unitizing"]["alpha_u"]["overall"]["ci_low"]
        != (first["unitizing"]["alpha_u"]["overall"]["ci_low"])
    )
    headline = first["unitizing"]
    for name in ("alpha_u", "f1_exact", "f1_partial"):
        for figure in [
            headline[name]["overall"],
            *headline[name]["per_label"].values(),
        ]:
            assert figure["ci_low"] <= figure["value"] <= figure["ci_high"]
    off = agreement_report(documents, n_bootstrap=0)
    assert off.unitizing.alpha_u.overall.ci_low is None
    assert (
        off.unitizing.alpha_u.overall.value
        == first["unitizing"]["alpha_u"]["overall"]["value"]
    )


# --------------------------------------------------------------------------
# Edge cases, confusion, shape of the output
# --------------------------------------------------------------------------


def figures_of(report: Any) -> list[Estimate]:
    u = report.unitizing
    return [u.alpha_u.overall, u.f1_exact.overall, u.f1_partial.overall]


def test_one_annotator() -> None:
    documents = [DocumentAnnotations("d", {"a": [(0, 4, "x")]}, text_length=10)]
    report = agreement_report(documents)
    for figure in figures_of(report):
        assert figure.value is None
        assert figure.reason == REASON_ONE_ANNOTATOR
    scores = report.coding.overall.all_units
    assert scores.krippendorff_alpha.reason == REASON_ONE_ANNOTATOR
    assert scores.fleiss_kappa.reason == REASON_ONE_ANNOTATOR
    assert report.documents[0].reason == REASON_ONE_ANNOTATOR
    assert report.coding.cohen_kappa == ()
    psa = report.coding.per_label["x"].positive_agreement
    assert (psa.value, psa.reason) == (None, REASON_ONE_ANNOTATOR)


def test_no_spans() -> None:
    documents = [
        DocumentAnnotations("d", {"a": [], "b": []}, text_length=10),
        DocumentAnnotations("e", {"a": [], "b": [], "c": []}, text_length=5),
    ]
    report = agreement_report(documents, labels=["claim"])
    for figure in figures_of(report):
        assert figure.value is None
        assert figure.reason == REASON_NO_SPANS
    assert report.unitizing.alpha_u.per_label["claim"].reason == REASON_NO_LABEL_SPANS
    overall = report.coding.overall
    assert overall.all_units.krippendorff_alpha.reason == REASON_NO_VARIATION
    assert overall.all_units.percent_agreement.value == 1.0
    assert overall.tagged_units.krippendorff_alpha.reason == REASON_NO_TAGGED
    assert overall.all_units.fleiss_kappa.reason is not None
    psa = report.coding.per_label["claim"].positive_agreement
    assert (psa.value, psa.reason, psa.n_units) == (None, REASON_LABEL_UNUSED, 0)
    assert all(doc.reason == REASON_NO_SPANS for doc in report.documents)
    json.dumps(report.to_dict(), allow_nan=False)


def test_perfect_agreement() -> None:
    spans = [(2, 9, "claim"), (12, 20, "hedge")]
    documents = [
        DocumentAnnotations("d", {"a": spans, "b": list(spans)}, text_length=30),
        DocumentAnnotations("e", {"a": spans[:1], "b": spans[:1]}, text_length=25),
    ]
    report = agreement_report(documents, n_bootstrap=50)
    for figure in figures_of(report):
        assert figure.value == 1.0
        assert (figure.ci_low, figure.ci_high) == (1.0, 1.0)
    overall = report.coding.overall
    assert overall.all_units.krippendorff_alpha.value == pytest.approx(1.0)
    assert overall.all_units.fleiss_kappa.value == pytest.approx(1.0)
    assert overall.tagged_units.krippendorff_alpha.value == pytest.approx(1.0)
    for label in ("claim", "hedge"):
        psa = report.coding.per_label[label].positive_agreement
        assert (psa.value, psa.ci_low, psa.ci_high) == (1.0, 1.0, 1.0)
    # each overlapping pair counts once from each side
    assert report.confusion.counts == ((4, 0, 0), (0, 2, 0))


def test_confusion_counts_overlaps_and_misses() -> None:
    documents = [
        DocumentAnnotations(
            "d",
            {"a": [(0, 10, "claim")], "b": [(5, 15, "hedge")], "c": []},
            text_length=20,
        ),
        DocumentAnnotations(
            "e",
            {"a": [(0, 4, "claim"), (2, 6, "claim")], "b": [(1, 3, "claim")]},
            text_length=8,
        ),
    ]
    report = agreement_report(documents, n_bootstrap=0)
    assert report.confusion.rows == ("claim", "hedge")
    assert report.confusion.columns == ("claim", "hedge", "none")
    # d: claim meets hedge (both ways), each misses c. e: a's merged claim
    # meets b's claim (counted from both sides).
    assert report.confusion.counts == ((2, 1, 1), (1, 0, 1))


def test_labels_restrict_and_order() -> None:
    documents = [
        DocumentAnnotations(
            "d",
            {"a": [(0, 3, "x"), (4, 6, "z")], "b": [Span(0, 3, "x")]},
            text_length=8,
        )
    ]
    report = agreement_report(documents, labels=["y", "x"], n_bootstrap=0)
    assert report.labels == ("y", "x")
    assert report.unitizing.f1_exact.overall.value == 1.0
    assert report.unitizing.f1_exact.per_label["y"].reason == REASON_NO_LABEL_SPANS
    assert report.n_spans == 2


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="unique"):
        agreement_report(
            [
                DocumentAnnotations(1, {}, text_length=1),
                DocumentAnnotations(1, {}, text_length=1),
            ]
        )
    with pytest.raises(ValueError, match="start < end"):
        agreement_report([DocumentAnnotations(1, {"a": [(3, 2, "x")]}, text_length=5)])
    with pytest.raises(ValueError, match="unit"):
        agreement_report([], unit="word")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="text or length"):
        DocumentAnnotations(1, {})
    with pytest.raises(ValueError, match="len"):
        DocumentAnnotations(1, {}, text="abc", text_length=4)


def test_empty_corpus() -> None:
    report = agreement_report([])
    assert report.n_documents == 0
    assert report.unitizing.alpha_u.overall.reason == REASON_ONE_ANNOTATOR
    json.dumps(report.to_dict(), allow_nan=False)


ESTIMATE_KEYS = {
    "value", "ci_low", "ci_high", "reason", "n_documents", "n_units", "n_annotators",
}  # fmt: skip


def test_to_dict_is_json_with_stable_keys() -> None:
    report = agreement_report(sample_corpus(6, seed=2), n_bootstrap=20)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert set(data) == {
        "schema", "unit", "labels", "annotators", "n_documents",
        "n_compared_documents", "n_spans", "bootstrap", "unitizing", "coding",
        "confusion", "documents", "periods",
    }  # fmt: skip
    assert set(data["bootstrap"]) == {"n_resamples", "seed", "confidence"}
    assert set(data["unitizing"]) == {"alpha_u", "f1_exact", "f1_partial", "pairs"}
    assert set(data["unitizing"]["alpha_u"]["overall"]) == ESTIMATE_KEYS
    assert set(data["coding"]) == {
        "unit", "n_multi_label_units", "overall", "per_label", "cohen_kappa",
    }  # fmt: skip
    assert set(data["coding"]["overall"]["all_units"]) == {
        "krippendorff_alpha", "fleiss_kappa", "percent_agreement",
    }  # fmt: skip
    assert set(data["coding"]["overall"]) == {"all_units", "tagged_units"}
    for per_label in data["coding"]["per_label"].values():
        assert set(per_label) == {"all_units", "positive_agreement"}
        assert set(per_label["positive_agreement"]) == ESTIMATE_KEYS
    assert set(data["coding"]["cohen_kappa"][0]) == {
        "annotators", "all_units", "tagged_units",
    }  # fmt: skip
    assert set(data["documents"][0]) == {
        "document_id", "disagreement", "f1_partial", "f1_exact", "alpha_u",
        "n_annotators", "n_spans", "reason", "n_groups", "n_disagreeing_groups",
        "group_kinds",
    }  # fmt: skip
    assert set(data["documents"][0]["group_kinds"]) == {
        "same", "label", "boundary", "partial",
    }  # fmt: skip
    assert data["schema"] == 4
    assert data["periods"] == []  # no periods asked
    for name in (
        "alpha_u",
        "f1_exact",
        "f1_partial",
        "krippendorff_alpha",
        "cohen_kappa",
        "positive_agreement",
    ):
        assert EXPLANATIONS[name]


def test_overlapping_labels_of_one_annotator() -> None:
    documents = [
        DocumentAnnotations(
            "d",
            {"a": [(0, 10, "claim"), (5, 15, "hedge")], "b": [(0, 10, "claim")]},
            text_length=20,
        )
    ]
    report = agreement_report(documents, n_bootstrap=0)
    assert report.coding.n_multi_label_units == 5
    assert report.coding.per_label["claim"].all_units.krippendorff_alpha.value == 1.0
    assert not math.isnan(report.coding.overall.all_units.krippendorff_alpha.value or 0)


# --------------------------------------------------------------------------
# Confusion and the document list come from the review page's groups
# --------------------------------------------------------------------------


def reviewer_confusion(
    documents: Sequence[DocumentAnnotations], labels: Sequence[str]
) -> tuple[tuple[int, ...], ...]:
    """The confusion matrix counted from the groups ``align`` shows a reviewer:
    agreements on the diagonal, the label disagreements of groups whose labels
    differ off it, and the missing annotators of PARTIAL groups under none."""
    counts = {(x, y): 0 for x in labels for y in (*labels, "none")}
    for doc in documents:
        for group in align(doc.annotations):
            given = {
                a: {label for _, _, label in spans} for a, spans in group.spans.items()
            }
            for a, mine in given.items():
                others = [b for b in doc.annotations if b != a]
                for x in mine:
                    counts[x, x] += sum(x in given.get(b, ()) for b in others)
                    if group.kind is GroupKind.PARTIAL:
                        counts[x, "none"] += len(doc.annotations) - len(given)
                    if group.labels_differ:
                        for b in others:
                            if b in given and x not in given[b]:
                                for y in given[b]:
                                    counts[x, y] += 1
    return tuple(tuple(counts[x, y] for y in (*labels, "none")) for x in labels)


@SETTINGS
@given(corpora())
def test_confusion_counts_what_the_groups_show(
    documents: list[DocumentAnnotations],
) -> None:
    report = agreement_report(documents, n_bootstrap=0)
    assert report.confusion.counts == reviewer_confusion(documents, report.labels)


@SETTINGS
@given(corpora())
def test_document_list_counts_and_ranks_the_groups(
    documents: list[DocumentAnnotations],
) -> None:
    report = agreement_report(documents, n_bootstrap=0)
    by_id = {doc.document_id: doc for doc in documents}
    for entry in report.documents:
        groups = align(by_id[entry.document_id].annotations)
        assert entry.n_groups == len(groups)
        assert entry.n_disagreeing_groups == sum(g.is_disagreement for g in groups)
        assert entry.group_kinds == {
            kind: sum(g.kind is kind for g in groups) for kind in GroupKind
        }
    position = {doc.document_id: i for i, doc in enumerate(documents)}
    ranked = [
        (
            *disagreement_rank(e.n_disagreeing_groups, e.n_groups),
            position[e.document_id],
        )
        for e in report.documents
    ]
    assert ranked == sorted(ranked)


def test_confusion_of_a_label_disagreement_a_boundary_and_a_missing_annotator() -> None:
    documents = [
        DocumentAnnotations(
            "d",
            {
                "a": [(0, 10, "claim"), (20, 30, "hedge"), (40, 50, "denial")],
                "b": [(0, 10, "hedge"), (20, 30, "hedge"), (40, 50, "denial")],
                "c": [(0, 10, "claim"), (22, 30, "hedge")],
            },
            text_length=60,
        )
    ]
    report = agreement_report(documents, n_bootstrap=0)
    # [0, 10): a and c say claim, b hedge: two pairs disagree, seen from each
    # side; [20, 30): everyone's hedge, boundaries differ; [40, 50): c missing
    assert report.confusion.rows == ("claim", "denial", "hedge")
    assert report.confusion.counts == ((2, 0, 2, 0), (0, 2, 0, 2), (2, 0, 6, 0))
    (entry,) = report.documents
    assert (entry.n_groups, entry.n_disagreeing_groups) == (3, 3)
    assert entry.group_kinds[GroupKind.LABEL] == 1


def test_several_spans_of_one_annotator_in_a_group_count_each_label_once() -> None:
    documents = [
        DocumentAnnotations(
            "d",
            {
                "a": [(0, 10, "claim"), (0, 10, "hedge"), (2, 6, "claim")],
                "b": [(0, 10, "claim")],
            },
            text_length=12,
        )
    ]
    report = agreement_report(documents, n_bootstrap=0)
    (group,) = align(documents[0].annotations)
    assert group.kind is GroupKind.BOUNDARY
    # a's claims meet b's claim (once each way); a's hedge meets b's claim
    assert report.confusion.counts == ((2, 0, 0), (1, 0, 0))


def test_documents_are_ranked_by_disagreeing_groups_not_by_f1() -> None:
    one_label_clash = {"a": [(0, 50, "claim")], "b": [(0, 50, "hedge")]}
    three_small_cuts = {
        "a": [(0, 10, "claim"), (20, 30, "claim"), (40, 50, "claim")],
        "b": [(1, 10, "claim"), (21, 30, "claim"), (41, 50, "claim")],
    }
    documents = [
        DocumentAnnotations("clash", one_label_clash, text_length=60),
        DocumentAnnotations("cuts", three_small_cuts, text_length=60),
    ]
    report = agreement_report(documents, n_bootstrap=0)
    clash, cuts = (
        next(e for e in report.documents if e.document_id == name)
        for name in ("clash", "cuts")
    )
    assert (clash.disagreement or 0) > (cuts.disagreement or 0)  # F1 says clash
    assert [e.document_id for e in report.documents] == ["cuts", "clash"]
    assert (cuts.n_disagreeing_groups, clash.n_disagreeing_groups) == (3, 1)
