"""A reviewer's inputs on a page, each counted and timed in the page.

Before acting on a control the reviewer must see it: if it is not wholly in
the viewport (or something sticky covers it), one scroll gesture is counted
and made (``window.scrollBy`` putting the control's centre at the viewport's
centre, its distance recorded). A *reading* reviewer also looks at the
group's marks in the text before deciding: if none is in view, one more
counted scroll brings the nearest into view first. Clicks are real mouse
clicks at the control's centre; keys are real key presses. Page time is
measured inside the page: from the input event (keydown, mousedown, or the
scroll) to the first animation frame after the page stopped changing (no fetch
in flight or body being read, no DOM mutation for ``QUIET_MS``); the wait
itself and the driver's time between inputs (think time) are not counted.
"""

from __future__ import annotations

import time
from typing import Any

from bench.review_flow_tally import Input, Kind

QUIET_MS = 150
#: Installed before the page's own scripts: counts fetches (until their body
#: is read) and DOM mutations, and notes the first frame after the last one.
PROBE = """(() => {
  const probe = { input: 0, activity: 0, settled: 0, busy: 0 };
  globalThis.__reviewFlowProbe = probe;
  const touch = () => {
    probe.activity = performance.now();
    probe.settled = 0;
    requestAnimationFrame(() => {
      if (!probe.settled) probe.settled = performance.now();
    });
  };
  probe.mark = () => { probe.input = performance.now(); touch(); };
  const tracked = (original) => async function (...args) {
    probe.busy += 1;
    touch();
    try { return await original.apply(this, args); }
    finally { probe.busy -= 1; touch(); }
  };
  window.fetch = tracked(window.fetch);
  Response.prototype.json = tracked(Response.prototype.json);
  Response.prototype.text = tracked(Response.prototype.text);
  addEventListener("keydown", probe.mark, true);
  addEventListener("mousedown", probe.mark, true);
  new MutationObserver(touch).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})();"""
SETTLE = """async (quiet) => {
  const probe = globalThis.__reviewFlowProbe;
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  for (;;) {
    await frame();
    const now = performance.now();
    if (!probe.busy && probe.settled && now - probe.activity >= quiet) break;
  }
  return probe.settled - probe.input;
}"""
WHERE = """([selector, marks]) => {
  const control = document.querySelector(selector);
  if (!control) return null;
  const box = control.getBoundingClientRect();
  let seen = box.width > 0 && box.top >= 0 && box.left >= 0
    && box.bottom <= innerHeight && box.right <= innerWidth;
  if (seen) {
    const hit = document.elementFromPoint(
      box.left + box.width / 2, box.top + box.height / 2);
    seen = hit !== null && (hit === control || control.contains(hit));
  }
  const middle = box.top + box.height / 2;
  const found = marks ? [...document.querySelectorAll(marks)] : [];
  const boxes = found.map((mark) => mark.getBoundingClientRect())
    .filter((b) => b.width > 0);
  const marksInView = boxes.some((b) => b.bottom > 0 && b.top < innerHeight);
  const centres = boxes.map((b) => b.top + b.height / 2);
  centres.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
  const nearest = centres.length ? centres[0] : null;
  return { seen, offset: middle - innerHeight / 2, x: box.left + box.width / 2,
           y: middle, marksInView: found.length ? marksInView : null,
           apart: nearest === null ? null : Math.abs(nearest - middle),
           marksOffset: nearest === null ? null : nearest - innerHeight / 2 };
}"""
SCROLL = """(offset) => {
  const before = scrollY;
  globalThis.__reviewFlowProbe.mark();
  scrollBy({ top: offset, behavior: "instant" });
  return Math.abs(scrollY - before);
}"""


class Reviewer:
    """One reviewer on one page, recording every input it makes."""

    def __init__(self, page: Any, reading: bool = False) -> None:
        self.page = page
        self.reading = reading
        self.inputs: list[Input] = []
        self.marks_in_view: bool | None = None
        self.marks_apart: float | None = None

    def take_inputs(self) -> list[Input]:
        """The inputs since the last call."""
        found, self.inputs = self.inputs, []
        return found

    def settle(self) -> float:
        return float(self.page.evaluate(SETTLE, QUIET_MS))

    def record(self, kind: Kind, name: str, distance: float = 0.0) -> None:
        self.inputs.append(Input(kind, name, self.settle(), distance))

    def where(self, selector: str, marks: str | None) -> dict[str, Any]:
        found = self.page.evaluate(WHERE, [selector, marks])
        if found is None:
            raise RuntimeError(f"no {selector} on the page")
        return dict(found)

    def scroll(self, offset: float, name: str) -> None:
        self.record("scroll", name, float(self.page.evaluate(SCROLL, offset)))

    def see(self, selector: str, marks: str | None = None) -> dict[str, Any]:
        """Bring ``selector`` into view (one counted scroll if it is not). The
        first time in a step, note whether ``marks`` (the group's marks in the
        text) are in view, and a reading reviewer scrolls to them first."""
        where = self.where(selector, marks)
        if marks and self.marks_in_view is None:
            self.marks_in_view, self.marks_apart = where["marksInView"], where["apart"]
            if self.reading and where["marksInView"] is False:
                self.scroll(where["marksOffset"], "scroll-to-words")
                where = self.where(selector, marks)
        if not where["seen"]:
            self.scroll(where["offset"], "scroll")
            where = self.where(selector, marks)
            if not where["seen"]:
                raise RuntimeError(f"{selector} stays out of view after scrolling")
        return where

    def click(self, selector: str, name: str, marks: str | None = None) -> None:
        where = self.see(selector, marks)
        self.page.mouse.click(where["x"], where["y"])
        self.record("click", name)

    def press(
        self, key: str, control: str | None = None, marks: str | None = None
    ) -> None:
        """``key``, after bringing ``control`` (what it acts on) into view."""
        if control:
            self.see(control, marks)
        self.page.keyboard.press(key)
        self.record("key", key)

    def navigate(self, act: Any, *inputs: tuple[Kind, str]) -> None:
        """``inputs`` made by ``act``, the last of which leaves the page: timed
        by the clock from the first to the next page's load (on the first)."""
        before = self.page.url
        began = time.perf_counter()
        act()
        self.page.wait_for_url(lambda url: url != before)
        self.page.wait_for_load_state("load")
        ms = (time.perf_counter() - began) * 1000
        for number, (kind, name) in enumerate(inputs):
            self.inputs.append(Input(kind, name, 0.0 if number else ms))
