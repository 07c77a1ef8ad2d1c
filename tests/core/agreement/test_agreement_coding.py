"""Coding coefficients: published worked examples and the reference packages.

scikit-learn, statsmodels and krippendorff are test-only dependencies. Where a
reference returns NaN (with a warning) or raises because the coefficient is
undefined, ours must raise UndefinedAgreementError with a reason instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.core.agreement import (
    REASON_NO_PAIRABLE,
    REASON_NO_VARIATION,
    REASON_ONE_ANNOTATOR,
    REASON_UNEQUAL_RATERS,
    UndefinedAgreementError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)

N = None
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def reference(call: Callable[[], Any]) -> float | None:
    """The reference value, or None where the reference finds it undefined
    (NaN with a RuntimeWarning/UserWarning, or a ValueError)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            value = float(call())
        except ValueError:
            return None
    return None if math.isnan(value) else value


def ours(call: Callable[[], float]) -> float | None:
    """Our value, or None where we raise UndefinedAgreementError (with a reason)."""
    reason = ""
    try:
        value = call()
    except UndefinedAgreementError as error:
        reason = error.reason
    else:
        assert math.isfinite(value)
        return value
    assert reason
    return None


# --------------------------------------------------------------------------
# Published worked examples
# --------------------------------------------------------------------------

# Krippendorff, K. (2004). Content Analysis, 2nd ed., Sage, p. 230; the same
# data in Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability",
# Departmental Papers (ASC) 43, section C: 4 observers, 12 units, missing
# values; nominal alpha = 0.743 (D_o = 0.200, D_e = 0.779, A_o = 0.800).
# Numbers coded 1..5 as in that paper's interval example (section E):
# ordinal 0.815, interval 0.849, ratio 0.797.
KRIPPENDORFF_MISSING = [
    [1, 1, N, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [N, 5, 5, 5],
    [N, N, 1, 1],
    [N, N, 3, N],
]


def by_annotator(units: list[list[Any]]) -> list[list[Any]]:
    return [list(row) for row in zip(*units, strict=True)]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2004_missing_values(level: str, expected: float) -> None:
    data = by_annotator(KRIPPENDORFF_MISSING)
    assert krippendorff_alpha(data, level=level) == pytest.approx(expected, abs=5e-4)  # type: ignore[arg-type]


def test_krippendorff_2004_nominal_letters_and_observed_agreement() -> None:
    # Same example with the book's symbols (B, L, P, C, F) as strings.
    letters = {1: "B", 2: "L", 3: "P", 4: "C", 5: "F"}
    data = [[letters.get(v) for v in row] for row in by_annotator(KRIPPENDORFF_MISSING)]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    assert percent_agreement(data) == pytest.approx(0.800, abs=5e-4)


def test_krippendorff_2004_two_coders() -> None:
    # Krippendorff (2004), p. 224: binary data, two observers, alpha = 0.095,
    # percent agreement 0.600.
    binary = [(1, 0), (1, 1), (0, 1), (0, 0), (0, 0), (0, 1), (0, 0), (0, 1)]
    binary += [(0, 0), (0, 0)]
    data = by_annotator([list(pair) for pair in binary])
    assert krippendorff_alpha(data) == pytest.approx(0.095, abs=5e-4)
    assert percent_agreement(data) == pytest.approx(0.600, abs=5e-4)
    # p. 227: three categories, two observers, alpha = 0.734, A_o = 0.833.
    pairs = ["aa", "ab"] + ["bb"] * 4 + ["bc"] + ["cc"] * 5
    data = by_annotator([list(pair) for pair in pairs])
    assert krippendorff_alpha(data) == pytest.approx(0.734, abs=5e-4)
    assert percent_agreement(data) == pytest.approx(0.833, abs=5e-4)


def expand(cells: dict[str, int]) -> tuple[list[str], list[str]]:
    first: list[str] = []
    second: list[str] = []
    for pair, count in cells.items():
        first += [pair[0]] * count
        second += [pair[1]] * count
    return first, second


def test_cohen_krippendorff_2004_p246() -> None:
    # Krippendorff (2004), p. 246: same agreement, different marginals;
    # Cohen's kappa 0.186 and 0.258.
    even = {"aa": 12, "ab": 9, "ac": 9, "ba": 9, "bb": 14, "bc": 9}
    even |= {"ca": 9, "cb": 9, "cc": 20}
    skewed = {"aa": 12, "ab": 18, "ac": 18, "bb": 14, "bc": 18, "cc": 20}
    assert cohen_kappa(*expand(even)) == pytest.approx(0.186, abs=5e-4)
    assert cohen_kappa(*expand(skewed)) == pytest.approx(0.258, abs=5e-4)


# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
# Psychological Bulletin 76(5), 378-382, table 1 (p. 379): 30 subjects, 6
# raters, 5 diagnoses; P = 0.5556, P_e = 0.2201, kappa = 0.430. Each row is
# how many of the 6 raters chose diagnosis 1..5.
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0], [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1], [0, 0, 5, 0, 1],
    [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0],
    [1, 0, 0, 4, 1], [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0],
    [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]  # fmt: skip


def test_fleiss_1971() -> None:
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(0.430, abs=5e-4)
    assert fleiss_kappa(np.array(FLEISS_1971)) == pytest.approx(
        sm_fleiss_kappa(np.array(FLEISS_1971)), abs=1e-12
    )


def test_wikipedia_computational_example() -> None:
    # https://en.wikipedia.org/wiki/Krippendorff%27s_alpha#A_computational_example
    # 3 coders, 15 units: nominal 0.691, interval 0.811.
    data = [
        [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
    ]
    assert krippendorff_alpha(data) == pytest.approx(0.691, abs=5e-4)
    assert krippendorff_alpha(data, "interval") == pytest.approx(0.811, abs=5e-4)


# --------------------------------------------------------------------------
# Edge cases: a defined answer with a reason
# --------------------------------------------------------------------------


def reason_of(call: Callable[[], float]) -> str:
    with pytest.raises(UndefinedAgreementError) as raised:
        call()
    return raised.value.reason


def test_alpha_edge_cases() -> None:
    assert reason_of(lambda: krippendorff_alpha([["a", "b"]])) == REASON_ONE_ANNOTATOR
    no_variation = [["a", "a", N], ["a", "a", "b"]]
    assert reason_of(lambda: krippendorff_alpha(no_variation)) == REASON_NO_VARIATION
    unpaired = [["a", N], [N, "b"]]
    assert reason_of(lambda: krippendorff_alpha(unpaired)) == REASON_NO_PAIRABLE
    assert krippendorff_alpha([["a", "b"], ["a", "b"]]) == 1.0
    assert krippendorff_alpha([["a", "b"], ["b", "a"]]) < 0
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1]], level="cardinal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], level="interval")


def test_cohen_edge_cases() -> None:
    assert reason_of(lambda: cohen_kappa(["x", "x"], ["x", "x"])) == REASON_NO_VARIATION
    assert reason_of(lambda: cohen_kappa([N, "x"], ["y", N])) == REASON_NO_PAIRABLE
    assert reason_of(lambda: cohen_kappa([], [])) == REASON_NO_PAIRABLE
    assert cohen_kappa(["x", "y"], ["y", "x"]) == -1.0
    assert cohen_kappa(["x", "x", "y", N], ["x", "x", "y", "y"]) == 1.0
    with pytest.raises(ValueError, match="length"):
        cohen_kappa(["x"], [])


def test_fleiss_edge_cases() -> None:
    assert reason_of(lambda: fleiss_kappa([[3, 0], [3, 0]])) == REASON_NO_VARIATION
    assert reason_of(lambda: fleiss_kappa([[2, 0], [1, 2]])) == REASON_UNEQUAL_RATERS
    assert reason_of(lambda: fleiss_kappa([[1, 0], [0, 1]])) == REASON_ONE_ANNOTATOR
    assert reason_of(lambda: fleiss_kappa(np.zeros((0, 2)))) == "no units"
    assert fleiss_kappa([[3, 0], [0, 3]]) == 1.0
    with pytest.raises(ValueError, match="counts"):
        fleiss_kappa([[1.5, 0.5]])


# --------------------------------------------------------------------------
# Against the reference packages, on generated data
# --------------------------------------------------------------------------


@st.composite
def reliability_data(
    draw: st.DrawFn, max_annotators: int = 5
) -> list[list[int | None]]:
    annotators = draw(st.integers(1, max_annotators))
    units = draw(st.integers(1, 25))
    n_values = draw(st.integers(1, 4))
    missing = draw(st.sampled_from([0.0, 0.2, 0.6]))
    value = st.integers(0, n_values - 1)
    cell = st.one_of(st.none(), value) if missing else value
    rows = draw(
        st.lists(
            st.lists(cell, min_size=units, max_size=units),
            min_size=annotators,
            max_size=annotators,
        )
    )
    return rows


def as_float_array(rows: list[list[int | None]]) -> np.ndarray[Any, Any]:
    return np.array(
        [[np.nan if v is None else float(v) for v in row] for row in rows], dtype=float
    )


@SETTINGS
@given(reliability_data(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
@example([[0, 1, None], [0, 1, 1]], "nominal")  # missing value
@example([[2, 2, 2], [2, 2, 2]], "nominal")  # a single category
@example([[0, 1, 2], [0, 1, 2], [0, 1, 2]], "nominal")  # all agree
@example([[0, 1, 0], [1, 0, 1]], "nominal")  # all disagree
@example([[0, None], [None, 1]], "nominal")  # nothing pairable
def test_alpha_matches_krippendorff_package(
    rows: list[list[int | None]], level: str
) -> None:
    data = as_float_array(rows)
    expected = (
        reference(lambda: krippendorff.alpha(data, level_of_measurement=level))
        if len(rows) >= 2
        else None
    )
    got = ours(lambda: krippendorff_alpha(rows, level=level))  # type: ignore[arg-type]
    assert (got is None) == (expected is None), (got, expected)
    if got is not None and expected is not None:
        assert got == pytest.approx(expected, abs=1e-9)
    # The numpy fast path (float array, NaN missing) gives the same answer.
    fast = ours(lambda: krippendorff_alpha(data, level=level))  # type: ignore[arg-type]
    assert fast == got or (
        fast is not None and got is not None and math.isclose(fast, got, abs_tol=1e-12)
    )


@SETTINGS
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
            min_size=1,
            max_size=40,
        )
    )
)
@example([(0, 0), (0, 0)])  # a single category
@example([(0, 0), (1, 1)])  # all agree
@example([(0, 1), (1, 0)])  # all disagree
def test_cohen_matches_sklearn(pairs: list[tuple[int, int]]) -> None:
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    labels = sorted(set(first) | set(second))
    expected = reference(lambda: cohen_kappa_score(first, second, labels=labels))
    got = ours(lambda: cohen_kappa(first, second))
    assert (got is None) == (expected is None), (got, expected)
    if got is not None and expected is not None:
        assert got == pytest.approx(expected, abs=1e-9)


@SETTINGS
@given(
    st.tuples(st.integers(2, 6), st.integers(1, 5)).flatmap(
        lambda shape: st.lists(
            st.lists(
                st.integers(0, shape[1] - 1), min_size=shape[0], max_size=shape[0]
            ),
            min_size=1,
            max_size=30,
        ).map(lambda units: [[u.count(c) for c in range(shape[1])] for u in units])
    )
)
@example([[3, 0], [3, 0]])  # a single category
@example([[3, 0], [0, 3]])  # all agree
@example([[1, 1], [1, 1]])  # all disagree
def test_fleiss_matches_statsmodels(table: list[list[int]]) -> None:
    expected = reference(lambda: sm_fleiss_kappa(np.array(table)))
    got = ours(lambda: fleiss_kappa(table))
    assert (got is None) == (expected is None), (got, expected)
    if got is not None and expected is not None:
        assert got == pytest.approx(expected, abs=1e-9)


@SETTINGS
@given(reliability_data(max_annotators=4))
def test_percent_agreement_is_one_minus_observed_disagreement(
    rows: list[list[int | None]],
) -> None:
    """A_o from the definition: agreeing ordered pairs over (m_u - 1), summed,
    over all pairable values."""
    agree = values = 0.0
    for unit in zip(*rows, strict=True):
        present = [v for v in unit if v is not None]
        m = len(present)
        if m < 2:
            continue
        pairs = sum(a == b for i, a in enumerate(present) for b in present[i + 1 :])
        agree += 2 * pairs / (m - 1)
        values += m
    got = ours(lambda: percent_agreement(rows))
    if values == 0:
        assert got is None
    else:
        assert got == pytest.approx(agree / values, abs=1e-12)


def test_large_integer_and_float_inputs_agree() -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 4, size=(3, 5000)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    data[0, :10] = 2.5  # non-integral values take the np.unique path
    rows = [[None if math.isnan(v) else v for v in row] for row in data.tolist()]
    expected = krippendorff.alpha(data, level_of_measurement="nominal")
    assert krippendorff_alpha(data) == pytest.approx(expected, abs=1e-9)
    assert krippendorff_alpha(rows) == pytest.approx(expected, abs=1e-9)
    assert krippendorff_alpha(data.astype(object)) == pytest.approx(expected, abs=1e-9)
