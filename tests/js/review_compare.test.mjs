// Tests for static/js/review/compare.js. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  acceptTarget,
  codePoints,
  correctionDefaults,
  historyShortcut,
  historyState,
  nextOpen,
  pendingLinksText,
  rejectTargets,
  segments,
} from "../../static/js/review/compare.js";

const group = (kind, decided, spanIds, majority = []) => ({
  kind,
  decided,
  start: 0,
  end: 9,
  span_ids: spanIds,
  majority,
});

describe("segments", () => {
  test("cut at every boundary, nested spans outermost first", () => {
    const outer = { start: 0, end: 6, label: "claim" };
    const inner = { start: 2, end: 4, label: "hedge" };
    const runs = segments(8, [inner, outer]);
    assert.deepEqual(
      runs.map((r) => [r.start, r.end, r.spans.map((s) => s.label)]),
      [
        [0, 2, ["claim"]],
        [2, 4, ["claim", "hedge"]],
        [4, 6, ["claim"]],
        [6, 8, []],
      ],
    );
  });

  test("offsets are code points: an emoji is one", () => {
    const text = "a😀b";
    const chars = codePoints(text);
    assert.equal(chars.length, 3);
    const [, mark] = segments(chars.length, [{ start: 1, end: 2 }]);
    assert.equal(chars.slice(mark.start, mark.end).join(""), "😀");
  });
});

describe("keyboard targets", () => {
  const groups = [
    group("same", false, {}),
    group("label", false, { A: [1], B: [2] }),
    group("boundary", true, { A: [3], B: [4] }),
    group("partial", false, { A: [5] }),
  ];

  test("next and previous open disagreement wrap around", () => {
    assert.equal(nextOpen(groups, 0), 1);
    assert.equal(nextOpen(groups, 1), 3);
    assert.equal(nextOpen(groups, 3), 1);
    assert.equal(nextOpen(groups, 1, -1), 3);
    assert.equal(nextOpen([group("same", false, {})], 0), -1);
  });

  test("accept takes the chosen span, else a single majority", () => {
    const g = group("boundary", false, { A: [1], B: [2], C: [3] }, [
      { start: 0, end: 5, label: "claim", span_ids: [1, 3] },
    ]);
    assert.deepEqual(acceptTarget(g, 2), [2]);
    assert.deepEqual(acceptTarget(g, null), [1, 3]);
    assert.deepEqual(acceptTarget(g, 99), [1, 3]);
    assert.equal(acceptTarget(group("label", false, { A: [1], B: [2] }), null), null);
  });

  test("reject skips spans already rejected or in gold", () => {
    const spans = new Map([
      [1, { rejected: false, in_gold: false }],
      [2, { rejected: true, in_gold: false }],
      [3, { rejected: false, in_gold: true }],
    ]);
    const g = group("partial", false, { A: [1, 2], B: [3] });
    assert.deepEqual(rejectTargets(g, spans), [1]);
  });

  test("the correction form starts from the chosen span or the group", () => {
    const spans = new Map([[1, { start: 2, end: 5, label: "hedge" }]]);
    const g = group("partial", false, { A: [1] });
    assert.deepEqual(correctionDefaults(g, spans, 1), {
      start: 2,
      end: 5,
      label: "hedge",
    });
    assert.deepEqual(correctionDefaults(g, spans, null), {
      start: 0,
      end: 9,
      label: "hedge",
    });
  });
});

describe("pendingLinksText", () => {
  const spans = new Map([
    [1, { label: "claim", start: 0, end: 33 }],
    [2, { label: "denial", start: 35, end: 49 }],
  ]);
  const link = (annotator, rejected = false) => ({
    annotator,
    source_span_id: 2,
    target_span_id: 1,
    kind: "denies",
    rejected_end: rejected,
  });

  test("nothing to say without such links", () => {
    assert.equal(pendingLinksText([], spans), "");
  });

  test("count and each link, named by its spans", () => {
    assert.equal(
      pendingLinksText([link("A")], spans),
      "1 annotator link not in gold (an end is not a gold span yet): A: denial 35\u201349 denies claim 0\u201333",
    );
  });

  test("counts links with a rejected end", () => {
    const text = pendingLinksText([link("A"), link("B", true)], spans);
    assert.match(text, /^2 annotator links not in gold \(an end is not a gold span yet, 1 with a rejected end\)/);
    assert.match(text, /; B: denial/);
  });
});

describe("historyShortcut", () => {
  const chord = (key, extra = {}) => ({ key, ctrlKey: true, metaKey: false, shiftKey: false, altKey: false, ...extra });
  test("Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo, as on the annotation page", () => {
    assert.equal(historyShortcut(chord("z")), "undo");
    assert.equal(historyShortcut(chord("Z", { shiftKey: true })), "redo");
    assert.equal(historyShortcut(chord("y")), "redo");
    assert.equal(historyShortcut(chord("z", { ctrlKey: false, metaKey: true })), "undo");
  });
  test("other chords and plain keys are not history shortcuts", () => {
    assert.equal(historyShortcut(chord("z", { ctrlKey: false })), null);
    assert.equal(historyShortcut(chord("z", { altKey: true })), null);
    assert.equal(historyShortcut(chord("a")), null);
  });
});

describe("historyState", () => {
  const when = (iso) => `at ${iso}`;
  const base = { kind: "decision", target: null, undone_by: null, blocked_by: [] };
  test("a live decision is in effect, or names what to undo first", () => {
    assert.equal(historyState(base, when), "in effect");
    const blocked = { ...base, blocked_by: ["'link' by rita at 12:03 UTC"] };
    assert.equal(historyState(blocked, when), "in effect; to undo it, undo 'link' by rita at 12:03 UTC first");
  });
  test("undone decisions, undo rows and redo rows", () => {
    const undone = { ...base, undone_by: { id: 9, by: "<b>rita</b>", at: "T" } };
    assert.equal(historyState(undone, when), "undone by <b>rita</b>, at T");
    assert.equal(historyState({ ...base, kind: "undo", target: { id: 4 } }, when), "takes back #4");
    assert.equal(historyState({ ...base, kind: "redo", target: { id: 4 } }, when), "re-applies #4; in effect");
  });
});
