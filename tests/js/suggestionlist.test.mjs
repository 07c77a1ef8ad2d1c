// Tests for static/js/lib/suggestionlist.js. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { OffsetIndex } from "../../static/js/lib/offsets.js";
import {
  answeredIn,
  countByLabel,
  inTextOrder,
  neighbourOf,
  pendingAnswers,
  placeOf,
  scoreText,
  shownSuggestions,
} from "../../static/js/lib/suggestionlist.js";

const TEXT = "👍🏽 中文 👨‍👩‍👧\r\nMoscow reportedly denied it.";
const cp = (word) => Array.from(TEXT.slice(0, TEXT.indexOf(word))).length;

function suggestion(id, word, label, score = 0.8) {
  const start = cp(word);
  return { id, start, end: start + Array.from(word).length, label, score, suggester: "rules", version: "1" };
}

describe("shownSuggestions", () => {
  const index = new OffsetIndex(TEXT);

  test("code points become UTF-16 after emoji, a ZWJ family, CJK and CRLF", () => {
    const [shown] = shownSuggestions([suggestion("a", "reportedly", "hedge")], index);
    assert.equal(shown.start, 20);
    assert.equal(shown.start16, 25);
    assert.equal(TEXT.slice(shown.start16, shown.end16), "reportedly");
    assert.equal(shown.key, "s-a");
  });

  test("an emoji suggestion keeps its surrogate pairs whole", () => {
    const [shown] = shownSuggestions([suggestion("e", "👨‍👩‍👧", "claim")], index);
    assert.equal(TEXT.slice(shown.start16, shown.end16), "👨‍👩‍👧");
  });

  test("text order, and answered ones left out", () => {
    const list = [
      suggestion("d", "denied", "denial"),
      suggestion("r", "reportedly", "hedge"),
      suggestion("m", "Moscow", "claim"),
    ];
    const shown = shownSuggestions(list, index, new Set(["m"]));
    assert.deepEqual(shown.map((s) => s.id), ["r", "d"]);
  });
});

test("answeredIn finds accepts and rejects waiting in the queue", () => {
  const pending = [
    { method: "POST", path: "spans", body: {} },
    { method: "POST", path: "suggestions/abc/accept", body: {} },
    { method: "POST", path: "suggestions/def/reject", body: {} },
    { method: "DELETE", path: "spans/4", body: {} },
  ];
  assert.deepEqual([...answeredIn(pending)], ["abc", "def"]);
});

test("countByLabel counts in order of first appearance", () => {
  const counts = countByLabel([{ label: "hedge" }, { label: "denial" }, { label: "hedge" }]);
  assert.deepEqual([...counts], [["hedge", 2], ["denial", 1]]);
});

test("neighbourOf: the next, else the one before, else none", () => {
  assert.equal(neighbourOf(["a", "b", "c"], "b"), "c");
  assert.equal(neighbourOf(["a", "b", "c"], "c"), "b");
  assert.equal(neighbourOf(["a"], "a"), null);
  assert.equal(neighbourOf(["a", "b"], "x"), "a");
});

test("scoreText shows two decimals", () => {
  assert.equal(scoreText(0.8), "0.80");
  assert.equal(scoreText(Number.NaN), "?");
});

describe("pendingAnswers", () => {
  const hedge = suggestion("h", "reportedly", "hedge");
  const accept = { path: "suggestions/h/accept" };
  const reject = { path: "suggestions/h/reject" };
  const undo = (decision) => ({
    path: "suggestions/h/decision",
    body: { decision, suggestion: hedge },
  });

  test("an accept or reject waiting to be saved hides the suggestion", () => {
    assert.deepEqual([...pendingAnswers([accept]).answered], ["h"]);
    assert.deepEqual([...answeredIn([reject, { path: "spans" }])], ["h"]);
  });

  test("an undo after it shows the suggestion again, with what its body carries", () => {
    const { answered, undone } = pendingAnswers([accept, undo("accepted")]);
    assert.equal(answered.size, 0);
    assert.deepEqual(undone, [hedge]);
  });

  test("the last word counts: undo, then rejected again", () => {
    const { answered, undone } = pendingAnswers([undo("rejected"), reject]);
    assert.deepEqual([...answered], ["h"]);
    assert.deepEqual(undone, []);
  });

  test("an undone suggestion the server lists as well is shown once", () => {
    const index = new OffsetIndex(TEXT);
    const { answered, undone } = pendingAnswers([undo("accepted")]);
    const shown = shownSuggestions([hedge, ...undone], index, answered);
    assert.deepEqual(shown.map((s) => s.id), ["h"]);
  });
});

describe("placeOf", () => {
  const items = [
    suggestion("a", "Moscow", "claim"),
    suggestion("b", "reportedly", "hedge"),
    suggestion("c", "denied", "denial"),
  ].sort(inTextOrder);

  test("an item goes back where text order puts it", () => {
    assert.equal(placeOf(items, suggestion("x", "中文", "claim")), 0);
    assert.equal(placeOf(items, suggestion("y", "reportedly", "denial")), 1);
    assert.equal(placeOf(items, suggestion("z", "it.", "claim")), 3);
  });
});
