"""Unitizing measures: Krippendorff's alpha-u and span F1.

alpha-u is checked against the published examples DKPro Statistics tests
(values and tolerances from its test suite, which cites the books), and on
generated data against a slow literal implementation written here from the
formulas. Span F1 is checked against a re-statement of the SemEval-2020 Task
11 scorer's formula over character sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator.core.agreement import (
    REASON_NO_LABEL_SPANS,
    REASON_NO_SPANS,
    REASON_NO_VARIATION,
    REASON_ONE_ANNOTATOR,
    UndefinedAgreementError,
    span_f1,
    unitizing_alpha,
    unitizing_disagreements,
)
from annotator.core.agreement.units import (
    build_span_table,
    span_table_from_rows,
    unitizing_components,
)
from annotator.core.spans import Span

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

# --------------------------------------------------------------------------
# A literal alpha-u: segments, every pair of segments, loops over gaps
# --------------------------------------------------------------------------

Segment = tuple[int, int, bool]  # start, length, is a unit


def segments(length: int, units: Sequence[tuple[int, int]]) -> list[Segment]:
    result: list[Segment] = []
    position = 0
    for start, end in sorted(units):
        if start > position:
            result.append((position, start - position, False))
        result.append((start, end - start, True))
        position = end
    if position < length:
        result.append((position, length - position, False))
    return result


def distance(a: Segment, b: Segment) -> int:
    """Krippendorff (2004) delta² between two segments of two annotators."""
    (b1, l1, u1), (b2, l2, u2) = a, b
    if u1 and u2 and b1 < b2 + l2 and b2 < b1 + l1:
        return (b1 - b2) ** 2 + ((b1 + l1) - (b2 + l2)) ** 2
    if u1 and not u2 and b2 <= b1 and b1 + l1 <= b2 + l2:
        return l1 * l1
    if u2 and not u1 and b1 <= b2 and b2 + l2 <= b1 + l1:
        return l2 * l2
    return 0


def literal(
    length: int, by_annotator: Sequence[Sequence[tuple[int, int]]]
) -> tuple[float, float]:
    """(D_o, D_e) of one label; (start, end) units per annotator, non-overlapping."""
    m = len(by_annotator)
    cut = [segments(length, units) for units in by_annotator]
    total = sum(
        distance(g, h)
        for i in range(m)
        for j in range(m)
        if i != j
        for g in cut[i]
        for h in cut[j]
    )
    observed = total / (m * (m - 1) * length * length)
    units = [e - s for annotator in by_annotator for s, e in annotator]
    gaps = [seg[1] for annotator in cut for seg in annotator if not seg[2]]
    n = len(units)
    numerator = 0.0
    for size in units:
        numerator += (n - 1) * (2 * size**3 - 3 * size**2 + size) / 3
        numerator += size * size * sum(g - size + 1 for g in gaps if g >= size)
    squares = sum(size * (size - 1) for size in units)
    expected = 2 / length * numerator / (m * length * (m * length - 1) - squares)
    return observed, expected


# --------------------------------------------------------------------------
# Published examples
# --------------------------------------------------------------------------


def krippendorff_2004() -> list[tuple[int, int, int, str]]:
    """Krippendorff (2004), Content Analysis 2nd ed., p. 254, as encoded in
    DKPro Statistics' unitizing Krippendorff2004Test: continuum 150..450,
    observers i (0) and j (1), categories c and k. Shifted to start at 0."""
    units = [
        (0, 225, 70, "c"), (0, 370, 30, "c"), (1, 220, 80, "c"), (1, 355, 20, "c"),
        (1, 400, 20, "c"), (0, 180, 60, "k"), (0, 300, 50, "k"), (1, 180, 60, "k"),
        (1, 300, 50, "k"),
    ]  # fmt: skip
    return [(a, s - 150, s - 150 + n, label) for a, s, n, label in units]


def test_krippendorff_2004_unitizing_example() -> None:
    # Expected values as asserted by DKPro (Krippendorff 2004: 254-256):
    # c: D_o 0.0144, D_e 0.0532, alpha 0.7286; k: D_o 0, D_e 0.0490, alpha 1;
    # all categories: 0.8591 (DKPro's tolerance 0.0005).
    units = krippendorff_2004()
    per_label = unitizing_disagreements(300, units)
    assert per_label["c"][0] == pytest.approx(0.0144, abs=1e-4)
    assert per_label["c"][1] == pytest.approx(0.0532, abs=1e-4)
    assert per_label["k"][0] == 0.0
    assert per_label["k"][1] == pytest.approx(0.0490, abs=1e-4)
    assert unitizing_alpha(300, units, label="c") == pytest.approx(0.7286, abs=1e-4)
    assert unitizing_alpha(300, units, label="k") == 1.0
    assert unitizing_alpha(300, units) == pytest.approx(0.8591, abs=5e-4)


def test_dkpro_unitizing_agreement_example() -> None:
    # DKPro Statistics, UnitizingAgreementTest.testAgreement (continuum of 10):
    #   r0: -11111111-    r1: --1-1-1---
    # D_o 0.9100, D_e 0.5351, alpha -0.7003.
    units = [(0, 1, 9, "A"), (1, 2, 3, "A"), (1, 4, 5, "A"), (1, 6, 7, "A")]
    observed, expected = unitizing_disagreements(10, units)["A"]
    assert observed == pytest.approx(0.9100, abs=1e-4)
    assert expected == pytest.approx(0.5351, abs=1e-4)
    assert unitizing_alpha(10, units) == pytest.approx(-0.7003, abs=1e-4)
    # testSingleAnnotationUnit: one unit among three annotators gives 0.
    assert unitizing_alpha(20, [(0, 0, 1, "X")], annotators=[0, 1, 2]) == pytest.approx(
        0.0, abs=1e-12
    )


def krippendorff_1995(stretch: float) -> tuple[int, list[tuple[int, int, int, str]]]:
    """Krippendorff (1995), "On the reliability of unitizing contiguous data",
    Sociological Methodology 25: 57, as encoded in DKPro's Krippendorff1995Test
    (offset, length, observer, category), scaled by ``stretch``."""
    raw = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"),
        (4, 1, 1, "B"), (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"),
        (0, 2, 1, "C"), (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"),
        (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"),
        (20, 4, 0, "D"), (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"),
        (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]  # fmt: skip

    def scaled(x: int) -> int:
        return int(x * stretch)

    units = [(r, scaled(o), scaled(o) + scaled(n), c) for o, n, r, c in raw]
    return scaled(24), units


def test_krippendorff_1995_example() -> None:
    # Observed disagreement, exact in DKPro's test: A 0.03125, B 2.26736,
    # C 0.02777, D 0.38715.
    length, units = krippendorff_1995(1)
    per_label = unitizing_disagreements(length, units)
    expected_observed = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for label, value in expected_observed.items():
        assert per_label[label][0] == pytest.approx(value, abs=1e-5)
    # C at half size: D_e 0.05494 (exact in DKPro's testVaryingLengths).
    length, units = krippendorff_1995(0.5)
    c_units = [u for u in units if u[3] == "C"]
    assert unitizing_disagreements(length, c_units)["C"][1] == pytest.approx(
        0.05494, abs=1e-5
    )
    # Stretched towards a continuum: D_e and alpha as printed in the paper,
    # within DKPro's tolerances (its comment: the paper's D_e has a small error).
    length, units = krippendorff_1995(1_200_000 / 24)
    per_label = unitizing_disagreements(length, units)
    published = {
        "A": (0.06990, 0.553), "B": (1.17731, -0.926),
        "C": (0.08642, 0.679), "D": (0.41445, 0.066),
    }  # fmt: skip
    for label, (d_e, alpha) in published.items():
        assert per_label[label][1] == pytest.approx(d_e, abs=0.005)
        assert unitizing_alpha(length, units, label=label) == pytest.approx(
            alpha, abs=0.02
        )


# --------------------------------------------------------------------------
# Edge cases and conventions
# --------------------------------------------------------------------------


def test_unitizing_edge_cases() -> None:
    with pytest.raises(UndefinedAgreementError) as raised:
        unitizing_alpha(20, [], annotators=["a", "b"])
    assert raised.value.reason == REASON_NO_SPANS
    with pytest.raises(UndefinedAgreementError) as raised:
        unitizing_alpha(20, [("a", 0, 5, "x")])
    assert raised.value.reason == REASON_ONE_ANNOTATOR
    with pytest.raises(UndefinedAgreementError) as raised:
        unitizing_alpha(20, [("a", 0, 5, "x"), ("b", 0, 5, "x")], label="y")
    assert raised.value.reason == REASON_NO_LABEL_SPANS
    # Both annotators mark the single character: nothing could differ.
    with pytest.raises(UndefinedAgreementError) as raised:
        unitizing_alpha(1, [("a", 0, 1, "x"), ("b", 0, 1, "x")])
    assert raised.value.reason == REASON_NO_VARIATION
    assert unitizing_alpha(30, [("a", 3, 9, "x"), ("b", 3, 9, "x")]) == 1.0
    with pytest.raises(ValueError, match="start < end"):
        unitizing_alpha(10, [("a", 5, 5, "x"), ("b", 0, 1, "x")])
    with pytest.raises(ValueError, match="start < end"):
        unitizing_alpha(10, [("a", 5, 11, "x"), ("b", 0, 1, "x")])


def test_overlapping_units_of_one_label_follow_inception() -> None:
    """INCEpTION adds a unit to the study only if it does not overlap an earlier
    one of the same annotator and label (sorted by start, longest first)."""
    base = [("a", 2, 10, "x"), ("b", 3, 9, "x"), ("b", 12, 15, "x")]
    extra = [("a", 4, 6, "x"), ("a", 2, 7, "x"), ("a", 9, 13, "x")]
    assert unitizing_alpha(20, base + extra) == unitizing_alpha(20, base)
    # A different label may overlap freely.
    assert unitizing_alpha(20, [*base, ("a", 4, 6, "y")], label="x") == unitizing_alpha(
        20, base
    )


# --------------------------------------------------------------------------
# Generated continua against the literal implementation
# --------------------------------------------------------------------------


@st.composite
def continuum(draw: st.DrawFn) -> tuple[int, list[list[tuple[int, int]]]]:
    length = draw(st.integers(1, 40))
    annotators = draw(st.integers(2, 4))
    by_annotator = []
    for _ in range(annotators):
        units = []
        position = 0
        while True:
            position += draw(st.integers(0, 8))
            if position >= length or draw(st.integers(0, 5)) == 0:
                break
            end = min(length, position + draw(st.integers(1, 10)))
            units.append((position, end))
            position = end
        by_annotator.append(units)
    return length, by_annotator


@SETTINGS
@given(continuum())
@example((10, [[(1, 9)], [(2, 3), (4, 5), (6, 7)]]))
@example((5, [[(0, 5)], [(0, 5)], []]))
def test_alpha_u_matches_literal_formula(
    case: tuple[int, list[list[tuple[int, int]]]],
) -> None:
    length, by_annotator = case
    units = [(a, s, e, "x") for a, spans in enumerate(by_annotator) for s, e in spans]
    annotators = range(len(by_annotator))
    if not units:
        with pytest.raises(UndefinedAgreementError):
            unitizing_alpha(length, units, annotators=annotators)
        return
    observed, expected = literal(length, by_annotator)
    got = unitizing_disagreements(length, units, annotators=annotators)["x"]
    assert got[0] == pytest.approx(observed, rel=1e-12, abs=1e-15)
    assert got[1] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    if expected > 0:
        alpha = unitizing_alpha(length, units, annotators=annotators)
        assert alpha == pytest.approx(1 - observed / expected, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------
# Span F1
# --------------------------------------------------------------------------


def scorer(
    reference: list[tuple[int, int, str]], candidate: list[tuple[int, int, str]]
) -> tuple[float, float, float]:
    """The SemEval-2020 Task 11 scorer's compute_score_pr restated on character
    sets (Da San Martino et al. 2019, "Fine-grained analysis of propaganda in
    news articles"): C(s, t, h) = |s ∩ t| / h when labels match;
    P = Σ C(s, t, |s|) / |S|, R = Σ C(s, t, |t|) / |T|; overlapping
    same-label spans merged first."""

    def merged(spans: list[tuple[int, int, str]]) -> list[tuple[str, set[int]]]:
        result: list[tuple[str, set[int]]] = []
        for start, end, label in spans:
            chars = set(range(start, end))
            for other in [r for r in result if r[0] == label and r[1] & chars]:
                chars |= other[1]
                result.remove(other)
            result.append((label, chars))
        return result

    gold, pred = merged(reference), merged(candidate)
    p_num = sum(len(s & t) / len(s) for ls, s in pred for lt, t in gold if ls == lt)
    r_num = sum(len(s & t) / len(t) for ls, s in pred for lt, t in gold if ls == lt)
    p = p_num / len(pred) if pred else 0.0
    r = r_num / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p > 0 and r > 0 else 0.0
    return p, r, f1


def test_span_f1_examples() -> None:
    reference = [(0, 10, "claim"), (20, 30, "hedge")]
    candidate = [(5, 15, "claim"), (20, 30, "hedge"), (40, 45, "claim")]
    exact = span_f1(reference, candidate)
    assert exact == (1 / 3, 1 / 2, pytest.approx(0.4))
    partial = span_f1(reference, candidate, mode="partial")
    # P = (5/10 + 1 + 0) / 3, R = (5/10 + 1) / 2
    assert partial.precision == pytest.approx(0.5)
    assert partial.recall == pytest.approx(0.75)
    assert partial.f1 == pytest.approx(0.6)
    # labels must match: a claim over a hedge earns nothing
    assert span_f1([(0, 5, "claim")], [(0, 5, "hedge")], "partial").f1 == 0.0
    # core Span objects are accepted too
    assert span_f1([Span(0, 5, "claim")], [(0, 5, "claim")]).f1 == 1.0


def test_span_f1_edge_cases() -> None:
    with pytest.raises(UndefinedAgreementError) as raised:
        span_f1([], [])
    assert raised.value.reason == REASON_NO_SPANS
    assert span_f1([(0, 3, "x")], []) == (0.0, 0.0, 0.0)
    assert span_f1([], [(0, 3, "x")], mode="partial") == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="mode"):
        span_f1([], [], mode="fuzzy")  # type: ignore[arg-type]
    # overlapping spans of one label are merged before matching
    assert span_f1([(0, 4, "x"), (2, 8, "x")], [(0, 8, "x")]).f1 == 1.0


spans_strategy = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 12), st.sampled_from("ab")).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=6,
)


@SETTINGS
@given(spans_strategy, spans_strategy)
def test_span_f1_matches_scorer(
    reference: list[tuple[int, int, str]], candidate: list[tuple[int, int, str]]
) -> None:
    if not reference and not candidate:
        return
    got = span_f1(reference, candidate, mode="partial")
    assert got == pytest.approx(scorer(reference, candidate), abs=1e-12)
    # F1 does not depend on which side is the reference
    flipped = span_f1(candidate, reference, mode="partial")
    assert flipped.f1 == pytest.approx(got.f1, abs=1e-12)
    exact = span_f1(reference, candidate)
    assert exact.f1 <= got.f1 + 1e-12


# --------------------------------------------------------------------------
# The table exports build from integer rows
# --------------------------------------------------------------------------

LABELS = ("claim", "denial", "hedge")


@st.composite
def _documents(
    draw: st.DrawFn,
) -> list[tuple[int, dict[str, list[tuple[int, int, str]]]]]:
    documents = []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.integers(2, 40))
        annotators = draw(st.sets(st.sampled_from("abc"), min_size=1))
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for annotator in sorted(annotators):
            found = []
            for _ in range(draw(st.integers(0, 4))):
                start = draw(st.integers(0, length - 1))
                end = draw(st.integers(start + 1, length))
                found.append((start, end, draw(st.sampled_from([*LABELS, "other"]))))
            spans[annotator] = found
        documents.append((length, spans))
    return documents


@SETTINGS
@given(_documents())
def test_table_from_rows_gives_the_alpha_of_the_table_from_spans(
    documents: list[tuple[int, dict[str, list[tuple[int, int, str]]]]],
) -> None:
    annotators = ("a", "b", "c")
    label_index = {name: i for i, name in enumerate(LABELS)}
    rows = [
        (d, annotators.index(a), label_index.get(label, -1), start, end)
        for d, (_, spans) in enumerate(documents)
        for a, found in spans.items()
        for start, end, label in found
    ]
    seen = [
        (d, annotators.index(a))
        for d, (_, spans) in enumerate(documents)
        for a in spans
    ]
    lengths = [length for length, _ in documents]
    from_rows = span_table_from_rows(lengths, seen, annotators, LABELS, rows)
    from_spans = build_span_table(documents, labels=list(LABELS))
    for table in (from_rows, from_spans):
        assert table.size == sum(label != -1 for _, _, label, _, _ in rows)
    ours, theirs = unitizing_components(from_rows), unitizing_components(from_spans)
    assert ours.observed.sum(axis=1) == pytest.approx(theirs.observed.sum(axis=1))
    assert ours.expected.sum(axis=1) == pytest.approx(theirs.expected.sum(axis=1))


@pytest.mark.parametrize(
    ("row", "seen"),
    [
        ((0, 0, 0, 5, 5), [(0, 0)]),  # empty
        ((0, 0, 0, 3, 11), [(0, 0)]),  # past the end of the text
        ((0, 0, 0, -1, 2), [(0, 0)]),  # before the start
        ((0, 1, 0, 0, 2), [(0, 0)]),  # by an annotator who did not see it
    ],
)
def test_table_from_rows_refuses_bad_spans(
    row: tuple[int, int, int, int, int], seen: list[tuple[int, int]]
) -> None:
    with pytest.raises(ValueError, match="row 0: span"):
        span_table_from_rows([10], seen, ("a", "b"), LABELS, [row])
