// Caret movement of static/js/lib/caretmoves.js on the shared fixtures
// (tests/data/grapheme_cases.json, offsets_cases.json) and by hand.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { CaretMoves } from "../../static/js/lib/caretmoves.js";

const load = (name) =>
  JSON.parse(readFileSync(new URL(`../data/${name}`, import.meta.url), "utf8")).cases;
const GRAPHEMES = load("grapheme_cases.json");
const OFFSETS = load("offsets_cases.json");

function walk(step, from, stop) {
  const seen = [from];
  for (let at = from, k = 0; at !== stop && k < 10_000; k += 1) {
    at = step(at);
    seen.push(at);
  }
  return seen;
}

describe("by character: the fixtures' grapheme boundaries, both ways", () => {
  for (const c of GRAPHEMES) {
    test(c.name, () => {
      const moves = new CaretMoves(c.text);
      const end = c.boundaries.at(-1);
      assert.deepEqual(walk((at) => moves.nextCharacter(at), 0, end), c.boundaries);
      assert.deepEqual(
        walk((at) => moves.previousCharacter(at), end, 0),
        [...c.boundaries].reverse(),
      );
    });
  }
});

describe("by word: stops are character boundaries and move forward", () => {
  for (const c of [...GRAPHEMES, ...OFFSETS]) {
    test(c.name, () => {
      const moves = new CaretMoves(c.text);
      const boundaries = new Set(moves.index.graphemeBoundaries());
      const forward = walk((at) => moves.nextWordEnd(at), 0, moves.length);
      const back = walk((at) => moves.previousWordStart(at), moves.length, 0);
      for (const stops of [forward, back]) {
        for (const stop of stops) assert.ok(boundaries.has(stop), `${stop}`);
      }
      for (let k = 1; k < forward.length; k += 1) assert.ok(forward[k] > forward[k - 1]);
      for (let k = 1; k < back.length; k += 1) assert.ok(back[k] < back[k - 1]);
    });
  }
});

test("word ends and starts in code points after emoji, ZWJ and CRLF", () => {
  const text = "👍🏽 ok 👨‍👩‍👧 blast\r\nnext";
  const moves = new CaretMoves(text);
  // 👍🏽 is 2 code points, 👨‍👩‍👧 is 5, CRLF is 2.
  assert.deepEqual(moves.words(), [[0, 2], [3, 5], [6, 11], [12, 17], [19, 23]]);
  assert.equal(moves.nextWordEnd(11), 17);
  assert.equal(Array.from(text).slice(12, 17).join(""), "blast");
  assert.equal(moves.previousWordStart(19), 12);
  assert.equal(moves.nextCharacter(17), 19, "CRLF is one step");
  assert.equal(moves.previousCharacter(19), 17);
});

test("words of a Japanese sentence and of hyphenated English", () => {
  const cjk = new CaretMoves("東京は日本の首都です。");
  assert.ok(cjk.words().length >= 3, "CJK text has several words");
  assert.equal(cjk.nextWordEnd(0), cjk.words()[0][1]);
  const english = new CaretMoves("a false-flag attack.");
  assert.deepEqual(english.words(), [[0, 1], [2, 7], [8, 12], [13, 19]]);
  assert.equal(english.nextWordEnd(7), 12, "punctuation is stepped over");
  assert.equal(english.nextWordEnd(19), 20, "past the last word: the end");
  assert.equal(english.previousWordStart(2), 0);
  assert.equal(english.previousWordStart(0), 0);
});

test("combining marks stay with their letter", () => {
  const text = "cafe\u0301 noir";
  const moves = new CaretMoves(text);
  assert.equal(moves.nextCharacter(3), 5);
  assert.equal(moves.previousCharacter(5), 3);
  assert.equal(moves.nextWordEnd(0), 5);
});
