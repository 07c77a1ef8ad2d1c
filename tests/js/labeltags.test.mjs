// Label tag placement of static/js/lib/labeltags.js.
import assert from "node:assert/strict";
import { test } from "node:test";

import { TAG_LENGTH, tagText, tagsAt } from "../../static/js/lib/labeltags.js";

const span = (key, start16, end16) => ({ key, start16, end16 });

test("one tag per span, at its start, outer span first", () => {
  const spans = [span("inner", 4, 9), span("b", 20, 25), span("outer", 4, 30)];
  const tags = tagsAt(spans, 0, 40);
  assert.deepEqual([...tags.entries()], [[4, ["outer", "inner"]], [20, ["b"]]]);
});

test("a span from an earlier paragraph is not tagged again", () => {
  const spans = [span("long", 5, 60), span("here", 50, 55)];
  assert.deepEqual([...tagsAt(spans, 40, 80).entries()], [[50, ["here"]]]);
  assert.deepEqual([...tagsAt(spans, 0, 40).entries()], [[5, ["long"]]]);
});

test("a paragraph's end belongs to the next paragraph", () => {
  assert.equal(tagsAt([span("x", 40, 45)], 0, 40).size, 0);
});

test("spans of the same extent keep a stable order", () => {
  const spans = [span("k2", 0, 5), span("k1", 0, 5)];
  assert.deepEqual(tagsAt(spans, 0, 9).get(0), ["k1", "k2"]);
});

test("long names are shortened without splitting a character", () => {
  assert.equal(tagText("Claim"), "Claim");
  const long = "False flag warning given";
  assert.equal(tagText(long), `${long.slice(0, TAG_LENGTH - 1)}…`);
  const emoji = "👨‍👩‍👧".repeat(3);
  assert.equal(tagText(emoji, 2), "👨‍👩‍👧…");
});
