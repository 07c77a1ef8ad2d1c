// Grapheme cluster boundaries of static/js/lib/offsets.js (Intl.Segmenter) on
// the fixtures shared with tests/core/test_graphemes.py (the regex package's
// \X). Run with: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  OffsetIndex,
  graphemeBoundaries,
  snapToGraphemes,
} from "../../static/js/lib/offsets.js";

const { cases: CASES } = JSON.parse(
  readFileSync(new URL("../data/grapheme_cases.json", import.meta.url), "utf8"),
);

/** Code point length of `text`, counted without the module under test. */
function codePoints(text) {
  return Array.from(text).length;
}

describe("shared grapheme fixtures", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const { text } = c;

      test("the fixture's clusters make its text and boundaries", () => {
        assert.equal(c.clusters.join(""), text);
        let offset = 0;
        const expected = [0];
        for (const cluster of c.clusters) {
          offset += codePoints(cluster);
          expected.push(offset);
        }
        assert.deepEqual(c.boundaries, expected);
      });

      test("Intl.Segmenter finds the same boundaries", () => {
        assert.deepEqual(graphemeBoundaries(text), c.boundaries);
        assert.deepEqual(new OffsetIndex(text).graphemeBoundaries(), c.boundaries);
      });

      test("every offset inside a cluster snaps to the whole cluster", () => {
        const index = new OffsetIndex(text);
        for (let k = 0; k + 1 < c.boundaries.length; k += 1) {
          const [first, last] = [c.boundaries[k], c.boundaries[k + 1]];
          assert.equal(index.isGraphemeBoundary(first), true);
          for (let offset = first + 1; offset < last; offset += 1) {
            assert.equal(index.isGraphemeBoundary(offset), false, `${offset}`);
            assert.deepEqual(index.snapToGraphemes(offset, offset), [first, last]);
            assert.deepEqual(snapToGraphemes(text, first, offset), [first, last]);
            assert.deepEqual(snapToGraphemes(text, offset, last), [first, last]);
          }
          assert.deepEqual(index.snapToGraphemes(first, last), [first, last]);
        }
      });
    });
  }
});

describe("snapping ranges", () => {
  const family = "👨\u200d👩\u200d👧 said it";

  test("a range across part of a ZWJ family widens to the family", () => {
    assert.deepEqual(snapToGraphemes(family, 2, 8), [0, 8]);
    assert.deepEqual(snapToGraphemes("I\r\nsaid", 2, 4), [1, 4]);
    assert.deepEqual(snapToGraphemes("cafe\u0301 au lait", 1, 4), [1, 5]);
  });

  test("a range on boundaries stays as it is, even an empty one", () => {
    assert.deepEqual(snapToGraphemes(family, 6, 10), [6, 10]);
    assert.deepEqual(snapToGraphemes(family, 5, 5), [5, 5]);
    assert.deepEqual(snapToGraphemes("", 0, 0), [0, 0]);
  });

  test("out of range or reversed offsets are refused like the others", () => {
    assert.throws(() => snapToGraphemes(family, 0, 99), RangeError);
    assert.throws(() => snapToGraphemes(family, 4, 2), RangeError);
    assert.throws(() => snapToGraphemes(family, 0.5, 2), TypeError);
  });
});
