// Tests for static/js/review/groups.js and keys.js: which group is next,
// what taking a version sends, the pending link's decisions, the correction
// body, and the keys. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as choose from "../../static/js/review/groups.js";
import { historyShortcut, keyAction } from "../../static/js/review/keys.js";

const group = (index, decided, spanIds = {}, majority = []) => ({
  index,
  decided,
  start: 0,
  end: 9,
  span_ids: spanIds,
  majority,
});

describe("next group", () => {
  const groups = [group(0, true), group(1, false), group(2, true), group(3, false)];

  test("next and previous undecided wrap around", () => {
    assert.equal(choose.nextUndecided(groups, 1, 1), 3);
    assert.equal(choose.nextUndecided(groups, 3, 1), 1);
    assert.equal(choose.nextUndecided(groups, 1, -1), 3);
    assert.equal(choose.nextUndecided(groups, -1, 1), 1);
  });

  test("none left: -1; any group: no wrap", () => {
    assert.equal(choose.nextUndecided([group(0, true)], 0, 1), -1);
    assert.equal(choose.nextGroup(groups, 3, 1), -1);
    assert.equal(choose.nextGroup(groups, 0, 1), 1);
  });
});

describe("versions", () => {
  const spans = new Map([
    [1, { id: 1, start: 0, end: 9, label: "claim", in_gold: false }],
    [2, { id: 2, start: 0, end: 5, label: "claim", in_gold: false }],
    [3, { id: 3, start: 6, end: 9, label: "hedge", in_gold: true }],
  ]);
  const g = group(0, false, { A: [1], B: [2, 3] });
  const annotators = [{ key: "A" }, { key: "B" }, { key: "C" }];

  test("one per annotator, numbered, empty for one who marked nothing", () => {
    const found = choose.versions(g, annotators, spans);
    assert.deepEqual(found.map((v) => [v.key, v.number, v.spans.map((s) => s.id)]), [
      ["A", 1, [1]],
      ["B", 2, [2, 3]],
      ["C", 3, []],
    ]);
  });

  test("taking a version accepts each span not yet in gold", () => {
    const [a, b, c] = choose.versions(g, annotators, spans);
    assert.deepEqual(choose.takeRequests(a), [{ span_ids: [1] }]);
    assert.deepEqual(choose.takeRequests(b), [{ span_ids: [2] }]);
    assert.deepEqual(choose.takeRequests(c), []);
  });

  test("majority only with a single proposal", () => {
    assert.equal(choose.majorityTarget(g), null);
    const one = group(0, false, {}, [{ span_ids: [1, 4] }]);
    assert.deepEqual(choose.majorityTarget(one), [1, 4]);
  });
});

describe("corrections and pending links", () => {
  const g = group(0, false, { A: [1], B: [2] });

  test("a correction replaces the gold span (which keeps its sources) or takes the group's spans", () => {
    const gold = { id: 9, source_span_ids: [2], label: "claim" };
    assert.deepEqual(choose.correctionBody(g, gold, 1, 5, "hedge"), {
      start: 1,
      end: 5,
      label: "hedge",
      replaces: 9,
    });
    assert.deepEqual(choose.correctionBody(null, null, 1, 5, "hedge"), { start: 1, end: 5, label: "hedge" });
    assert.deepEqual(choose.correctionBody(g, null, 1, 5, "hedge"), { start: 1, end: 5, label: "hedge", span_ids: [1, 2] });
  });

  test("a pending link: accept the end not in gold, or link two gold ends", () => {
    const spans = new Map([
      [1, { id: 1, rejected: false }],
      [2, { id: 2, rejected: false }],
    ]);
    const link = { source_span_id: 1, target_span_id: 2, kind: "denies" };
    const gold = [{ id: 7, source_span_ids: [2] }];
    assert.deepEqual(choose.pendingRequests(link, spans, gold), [{ name: "accept", body: { span_ids: [1] } }]);
    const both = [...gold, { id: 8, source_span_ids: [1] }];
    assert.deepEqual(choose.pendingRequests(link, spans, both), [
      { name: "link", body: { source: 8, target: 7, kind: "denies" } },
    ]);
  });

  test("the focused pending link is one touching the group", () => {
    const far = { source_span_id: 5, target_span_id: 6 };
    const near = { source_span_id: 6, target_span_id: 2 };
    assert.equal(choose.focusedPending([far, near], g), near);
    assert.equal(choose.focusedPending([far], g), far);
    assert.equal(choose.focusedPending([], g), null);
  });
});

describe("keys", () => {
  const labels = [
    { name: "claim", hotkey: "1" },
    { name: "denial", hotkey: "2" },
    { name: "hedge", hotkey: "h" },
  ];
  const key = (k, extra = {}) => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...extra });
  const idle = { selecting: false, awaitingLabel: false, labels };

  test("numbers take versions with nothing selected, and are labels with text selected", () => {
    assert.deepEqual(keyAction(key("2"), idle), { name: "take", number: 2 });
    assert.deepEqual(keyAction(key("2"), { ...idle, selecting: true }), { name: "label-selection", label: "denial" });
    assert.deepEqual(keyAction(key("Enter"), { ...idle, selecting: true }), { name: "label-selection", label: null });
    assert.equal(keyAction(key("Enter"), idle), null);
  });

  test("l then a label's key relabels; another key cancels", () => {
    const waiting = { ...idle, awaitingLabel: true };
    assert.deepEqual(keyAction(key("h"), waiting), { name: "relabel", label: "hedge" });
    assert.deepEqual(keyAction(key("q"), waiting), { name: "relabel-cancel" });
    assert.deepEqual(keyAction(key("l"), idle), { name: "relabel-start" });
  });

  test("moving, deciding, adjudicating", () => {
    assert.deepEqual(["n", "j", "k", "a", "r", "p", "u", "U", "A", "?"].map((k) => keyAction(key(k), idle).name), [
      "next", "next", "previous", "majority", "reject", "accept-link", "undo", "redo", "adjudicate", "help",
    ]);
    assert.deepEqual(keyAction(key("Enter", { ctrlKey: true }), idle), { name: "adjudicate" });
    assert.deepEqual(keyAction(key("ArrowRight", { shiftKey: true }), idle), { name: "boundary", edge: "end", step: 1 });
    assert.deepEqual(keyAction(key("ArrowLeft", { shiftKey: true, ctrlKey: true }), idle), {
      name: "boundary",
      edge: "start",
      step: -1,
    });
    assert.equal(keyAction(key("ArrowRight", { shiftKey: true }), { ...idle, selecting: true }), null);
    assert.equal(keyAction(key("z"), idle), null);
    assert.equal(keyAction(key("n", { altKey: true }), idle), null);
  });

  test("history chords", () => {
    assert.equal(historyShortcut(key("z", { ctrlKey: true })), "undo");
    assert.equal(historyShortcut(key("Z", { ctrlKey: true, shiftKey: true })), "redo");
    assert.equal(historyShortcut(key("y", { metaKey: true })), "redo");
    assert.equal(historyShortcut(key("z")), null);
  });
});

describe("goldInGroup", () => {
  const spans = new Map([
    [1, { id: 1, label: "hedge" }],
    [2, { id: 2, label: "hedge" }],
  ]);
  const hedge = { ...group(0, false, { A: [1], B: [2] }), start: 10, end: 15 };

  test("gold made from the group's spans, or added over it with one of its labels", () => {
    const taken = { id: 1, start: 10, end: 15, label: "claim", source_span_ids: [2] };
    const claim = { id: 2, start: 0, end: 30, label: "claim", source_span_ids: [7] };
    const added = { id: 3, start: 12, end: 14, label: "hedge", source_span_ids: [] };
    const other = { id: 4, start: 12, end: 14, label: "denial", source_span_ids: [] };
    assert.deepEqual(
      choose.goldInGroup([taken, claim, added, other], hedge, spans).map((g) => g.id),
      [1, 3],
    );
  });
});
