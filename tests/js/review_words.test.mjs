// Tests for static/js/review/words.js (word diff, boundary moves) on the
// shared offset fixtures (emoji, ZWJ, combining marks, CJK, CRLF). Run with:
// node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { OffsetIndex } from "../../static/js/lib/offsets.js";
import { codePoints, moveBoundary, wordDiff } from "../../static/js/review/words.js";

const { cases } = JSON.parse(readFileSync(new URL("../data/offsets_cases.json", import.meta.url)));
const withTokens = cases.filter((c) => c.tokens.length >= 3);

describe("wordDiff", () => {
  const text = "Kyiv denies it. Maybe so.";
  const chars = codePoints(text);

  test("marks what one version has and the other lacks", () => {
    const [a, b] = wordDiff(chars, [
      { key: "A", ranges: [[0, 14]] },
      { key: "B", ranges: [[0, 9]] },
    ]);
    assert.deepEqual(
      a.pieces.map((p) => [p.kind, p.text]),
      [["same", "Kyiv deni"], ["ins", "es it"]],
    );
    assert.deepEqual(
      b.pieces.map((p) => [p.kind, p.text]),
      [["same", "Kyiv deni"], ["del", "es it"]],
    );
  });

  test("identical versions are all the same; a version without spans has none", () => {
    const [a, b, c] = wordDiff(chars, [
      { key: "A", ranges: [[16, 21]] },
      { key: "B", ranges: [[16, 21]] },
      { key: "C", ranges: [] },
    ]);
    assert.deepEqual(a.pieces.map((p) => p.kind), ["ins"]);
    assert.deepEqual(b.pieces.map((p) => p.kind), ["ins"]);
    assert.deepEqual(c.pieces.map((p) => [p.kind, p.text]), [["del", "Maybe"]]);
    const [x, y] = wordDiff(chars, [{ key: "A", ranges: [[16, 21]] }, { key: "B", ranges: [[16, 21]] }]);
    assert.deepEqual([x.pieces[0].kind, y.pieces[0].kind], ["same", "same"]);
  });

  test("two spans of one version leave a gap no version covers", () => {
    const [a] = wordDiff(chars, [{ key: "A", ranges: [[0, 4], [5, 11]] }]);
    assert.deepEqual(a.pieces.map((p) => [p.kind, p.text]), [["same", "Kyiv"], ["gap", " "], ["same", "denies"]]);
  });

  for (const found of withTokens) {
    test(`pieces are the text's code points: ${found.name}`, () => {
      const letters = codePoints(found.text);
      const [first, , third] = found.tokens;
      const [a, b] = wordDiff(letters, [
        { key: "A", ranges: [[first[0], third[1]]] },
        { key: "B", ranges: [[first[0], first[1]]] },
      ]);
      const whole = letters.slice(first[0], third[1]).join("");
      assert.equal(a.pieces.map((p) => p.text).join(""), whole);
      assert.equal(b.pieces.map((p) => p.text).join(""), whole);
      assert.deepEqual(b.pieces.map((p) => p.kind), ["same", "del"]);
      assert.equal(b.pieces[1].start, first[1]);
    });
  }
});

describe("moveBoundary", () => {
  for (const found of withTokens) {
    const index = new OffsetIndex(found.text);
    const [t0, t1, t2] = found.tokens;

    test(`the end moves right to the next token's end and back: ${found.name}`, () => {
      assert.deepEqual(moveBoundary(index, t0[0], t0[1], "end", 1), [t0[0], t1[1]]);
      assert.deepEqual(moveBoundary(index, t0[0], t1[1], "end", -1), [t0[0], t0[1]]);
    });

    test(`the start moves right to the next token and back: ${found.name}`, () => {
      assert.deepEqual(moveBoundary(index, t0[0], t2[1], "start", 1), [t1[0], t2[1]]);
      assert.deepEqual(moveBoundary(index, t1[0], t2[1], "start", -1), [t0[0], t2[1]]);
    });

    test(`a span of one token cannot lose it: ${found.name}`, () => {
      assert.equal(moveBoundary(index, t1[0], t1[1], "end", -1), null);
      assert.equal(moveBoundary(index, t1[0], t1[1], "start", 1), null);
    });
  }

  test("from inside a word the end moves to that word's end", () => {
    const index = new OffsetIndex("Moscow says. Kyiv denies it.");
    assert.deepEqual(moveBoundary(index, 13, 22, "end", 1), [13, 24]);
  });

  test("nothing beyond the text's ends", () => {
    const index = new OffsetIndex("one two");
    assert.equal(moveBoundary(index, 0, 7, "end", 1), null);
    assert.equal(moveBoundary(index, 0, 7, "start", -1), null);
  });
});
