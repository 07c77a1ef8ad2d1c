// Tests for static/js/review/layout.js: rows under a width, tracks in a lane,
// rows cut by spans and by nested groups. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { cutNested, cutRow, firstEndingAfter, lineRows, overlapping, packTracks, reach } from "../../static/js/review/layout.js";

const { cases } = JSON.parse(readFileSync(new URL("../data/offsets_cases.json", import.meta.url)));
const byLength = (piece) => [...piece].length; // one unit a code point

describe("lineRows", () => {
  test("breaks after spaces when the next word would pass the width", () => {
    const rows = lineRows("aaa bbb ccc dd", 8, byLength);
    assert.deepEqual(rows, [{ start: 0, end: 8 }, { start: 8, end: 14 }]);
  });

  test("a word wider than a row is a row of its own", () => {
    assert.deepEqual(lineRows("a bbbbbbbbbb c", 4, byLength), [
      { start: 0, end: 2 },
      { start: 2, end: 13 },
      { start: 13, end: 14 },
    ]);
  });

  for (const found of cases) {
    test(`rows and line breaks give back the text in code points: ${found.name}`, () => {
      const letters = [...found.text];
      const rows = lineRows(found.text, 6, byLength);
      let rebuilt = "";
      let at = 0;
      for (const row of rows) {
        rebuilt += letters.slice(at, row.start).join(""); // the line break
        assert.ok(!/[\r\n]/.test(letters.slice(row.start, row.end).join("")));
        rebuilt += letters.slice(row.start, row.end).join("");
        at = row.end;
      }
      rebuilt += letters.slice(at).join("");
      assert.equal(rebuilt, found.text);
      assert.equal(rows.at(-1).end <= found.code_points, true);
      for (const row of rows) {
        for (const [start, end] of found.tokens) {
          assert.ok(end <= row.start || start >= row.end || (start >= row.start && end <= row.end), "no token is cut");
        }
      }
    });
  }
});

describe("packTracks", () => {
  test("overlapping spans go to separate tracks, later ones reuse a free track", () => {
    const a = { start: 0, end: 10 };
    const b = { start: 2, end: 4 };
    const c = { start: 5, end: 12 };
    const d = { start: 11, end: 14 };
    const { track, depth } = packTracks([c, a, d, b]);
    assert.equal(depth, 2);
    assert.deepEqual([a, b, c, d].map((s) => track.get(s)), [0, 1, 1, 0]);
  });
});

describe("cutRow and cutNested", () => {
  const items = [{ start: 2, end: 5 }, { start: 7, end: 12 }];

  test("cutRow: runs between and inside the items, clipped to the row", () => {
    assert.deepEqual(
      cutRow(3, 10, items, firstEndingAfter(items, 3)).map((r) => [r.start, r.end, r.item !== null]),
      [[3, 5, true], [5, 7, false], [7, 10, true]],
    );
  });

  test("cutNested: every run knows every group covering it", () => {
    const groups = [
      { index: 0, start: 0, end: 10 },
      { index: 1, start: 3, end: 5 },
      { index: 2, start: 12, end: 14 },
    ];
    const runs = cutNested(2, 13, groups, reach(groups));
    assert.deepEqual(
      runs.map((r) => [r.start, r.end, r.items.map((g) => g.index)]),
      [[2, 3, [0]], [3, 5, [0, 1]], [5, 10, [0]], [10, 12, []], [12, 13, [2]]],
    );
  });
});

describe("overlapping", () => {
  test("finds nested and overlapping items by bisection", () => {
    const items = [
      { start: 0, end: 50 },
      { start: 5, end: 8 },
      { start: 20, end: 25 },
      { start: 60, end: 70 },
    ];
    const found = (a, b) => overlapping(items, reach(items), a, b).map((i) => i.start);
    assert.deepEqual(found(21, 22), [0, 20]);
    assert.deepEqual(found(50, 60), []);
    assert.deepEqual(found(49, 61), [0, 60]);
  });
});
