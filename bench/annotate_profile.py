"""A Chrome CPU profile and a trace of one load of the annotation page, and
where the time went: self time per function (the profile) and the main
thread's time per trace event (style, layout, paint, parsing, scripts).

Used by `bench.annotate_suggestions_bench --profile DIR`; the files it
writes (`annotate.cpuprofile`, `annotate-trace.json`) open in Chrome's
DevTools Performance panel.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

READY = "#document-text[data-ready='true']"
# Main-thread work the trace names, besides scripts (microseconds summed).
STAGES = (
    "ParseHTML",
    "EvaluateScript",
    "v8.compile",
    "FunctionCall",
    "TimerFire",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "Layerize",
    "HitTest",
    "MinorGC",
    "MajorGC",
)


def self_times(profile: dict[str, Any]) -> Counter[str]:
    """Milliseconds of self time per function ("name file:line")."""
    names = {}
    for node in profile["nodes"]:
        frame = node["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1]
        names[node["id"]] = f"{frame['functionName'] or '(anonymous)'} {where}:" + str(
            frame["lineNumber"] + 1
        )
    totals: Counter[str] = Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        totals[names[node_id]] += delta / 1000
    return totals


def stage_times(events: list[dict[str, Any]]) -> Counter[str]:
    """Milliseconds per trace event name on the page's main thread."""
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    totals: Counter[str] = Counter()
    for event in events:
        if (
            event.get("ph") == "X"
            and (event["pid"], event["tid"]) in main
            and event["name"] in STAGES
        ):
            totals[event["name"]] += event.get("dur", 0) / 1000
    return totals


def profile(browser: Any, page: Any, url: str, folder: Path) -> None:
    """Profile, then trace, one load each of `url`; print the summaries."""
    folder.mkdir(parents=True, exist_ok=True)
    session = page.context.new_cdp_session(page)
    session.send("Profiler.enable")
    session.send("Profiler.setSamplingInterval", {"interval": 200})
    session.send("Profiler.start")
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    taken = session.send("Profiler.stop")["profile"]
    (folder / "annotate.cpuprofile").write_text(json.dumps(taken))
    trace = folder / "annotate-trace.json"
    browser.start_tracing(page=page, path=str(trace), categories=["devtools.timeline"])
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    browser.stop_tracing()
    print("self time per function (CPU profile, one load), ms:")
    for name, ms in self_times(taken).most_common(25):
        print(f"  {ms:7.1f}  {name}")
    events = json.loads(trace.read_text())["traceEvents"]
    print("main thread per trace event (nested events counted in each), ms:")
    for name, ms in stage_times(events).most_common():
        print(f"  {ms:7.1f}  {name}")


def cpu_times(browser: Any, page: Any, url: str, folder: Path) -> dict[str, float]:
    """Main-thread CPU milliseconds of one load of `url`, from the start of
    parsing to the `annotate-interactive` and `annotate-suggestions` marks.

    CPU time, read from the trace's thread clock (`tts`), moves much less
    than the clock on a machine shared with other work: a task waiting for a
    core is not counted.
    """
    trace = folder / "cpu-trace.json"
    page.goto("about:blank")
    categories = ["blink.user_timing", "devtools.timeline"]
    browser.start_tracing(page=page, path=str(trace), categories=categories)
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    browser.stop_tracing()
    events = json.loads(trace.read_text())["traceEvents"]
    timed = [e for e in events if "tts" in e]
    marks = {e["name"]: e for e in timed if e.get("cat") == "blink.user_timing"}
    shown = marks["annotate-interactive"]
    thread = (shown["pid"], shown["tid"])
    parses = [
        e["tts"]
        for e in timed
        if e.get("name") == "ParseHTML" and (e["pid"], e["tid"]) == thread
    ]
    start = min(parses)
    return {
        f"cpu {name}": (marks[f"annotate-{name}"]["tts"] - start) / 1000
        for name in ("interactive", "suggestions")
        if f"annotate-{name}" in marks
    }
