"""Agreement benchmarks, measured against a reference in the same run.

    .venv/bin/python -m bench.agreement_bench [--quick]    (from the repo root)

1. Nominal Krippendorff's alpha on 3 annotators x 2,000,000 units with 5%
   missing values: ours against the ``krippendorff`` package, on the same
   float array (NaN = missing). Target: ratio ours / theirs <= 1.0.
2. The full agreement report (unitizing, coding, confusion, per-document list,
   1000 bootstrap resamples) for 10,000 documents x 3 annotators x 20 spans.
   Target: under 10 s.

Prints the timings and ratios; exits 1 when a target is missed. Timings are
the best of a few runs, to be robust on a shared machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import krippendorff
import numpy as np

from annotator.core.agreement import (
    DocumentAnnotations,
    agreement_report,
    krippendorff_alpha,
)

LABELS = ("claim", "denial", "hedge", "false_flag_warning")


def best_of(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        began = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - began)
    return best, result


def alpha_data(units: int, seed: int = 7) -> np.ndarray[Any, np.dtype[np.float64]]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, size=units)
    data = np.tile(truth, (3, 1)).astype(np.float64)
    noise = rng.random(data.shape) < 0.25
    data[noise] = rng.integers(0, 5, size=int(noise.sum()))
    data[rng.random(data.shape) < 0.05] = np.nan
    return data


def bench_alpha(units: int, runs: int) -> float:
    data = alpha_data(units)
    theirs_time, theirs = best_of(
        runs, lambda: krippendorff.alpha(data, level_of_measurement="nominal")
    )
    ours_time, ours = best_of(runs, lambda: krippendorff_alpha(data))
    if abs(float(theirs) - ours) > 1e-9:
        raise SystemExit(f"alpha differs: ours {ours!r}, krippendorff {theirs!r}")
    ratio = ours_time / theirs_time
    print(
        f"nominal alpha, 3 x {units:,} units, 5% missing: ours {ours_time:.3f} s, "
        f"krippendorff {theirs_time:.3f} s, ratio {ratio:.3f} (target <= 1.0); "
        f"alpha = {ours:.6f}"
    )
    return ratio


def report_documents(
    n_docs: int, spans_each: int, seed: int = 11
) -> list[DocumentAnnotations]:
    """News-sized documents; three annotators who mostly find the same
    passages, cut them a little differently and sometimes pick another label."""
    rng = np.random.default_rng(seed)
    documents = []
    for d in range(n_docs):
        length = int(rng.integers(2000, 6000))
        slots = np.sort(rng.choice(length // 60, size=spans_each, replace=False)) * 60
        base_labels = rng.integers(0, len(LABELS), size=spans_each)
        annotations = {}
        for annotator in ("ann", "bob", "cyd"):
            spans = []
            for slot, label in zip(slots, base_labels, strict=True):
                start = int(slot + rng.integers(0, 8))
                end = int(min(length, start + rng.integers(10, 50)))
                if rng.random() < 0.1:
                    label = rng.integers(0, len(LABELS))
                spans.append((start, end, LABELS[int(label)]))
            annotations[annotator] = spans
        documents.append(
            DocumentAnnotations(f"doc-{d}", annotations, text_length=length)
        )
    return documents


def bench_report(n_docs: int, runs: int) -> float:
    documents = report_documents(n_docs, 20)
    seconds, report = best_of(runs, lambda: agreement_report(documents))
    overall = report.unitizing.alpha_u.overall
    print(
        f"full report, {n_docs:,} documents x 3 annotators x 20 spans, "
        f"{report.n_bootstrap} resamples: {seconds:.2f} s (target < 10 s); "
        f"alpha_u = {overall.value:.4f} [{overall.ci_low:.4f}, {overall.ci_high:.4f}], "
        f"F1 exact {report.unitizing.f1_exact.overall.value:.4f}, "
        f"partial {report.unitizing.f1_partial.overall.value:.4f}"
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    ratio = bench_alpha(2_000_000 // scale, runs=3)
    seconds = bench_report(10_000 // scale, runs=2)
    ok = ratio <= 1.0 and seconds < 10.0
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
