// Tests for static/js/lib/offsets.js on the fixtures shared with
// tests/core/test_offsets.py. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  OffsetIndex,
  fromUtf16,
  snapToWords,
  toUtf16,
  trimWhitespace,
  utf16Length,
} from "../../static/js/lib/offsets.js";

const { cases: CASES } = JSON.parse(
  readFileSync(new URL("../data/offsets_cases.json", import.meta.url), "utf8"),
);

/** Code point offset → UTF-16 offset, counted without the module under test. */
function unitsBefore(text, codePoint) {
  return Array.from(text).slice(0, codePoint).join("").length;
}

describe("shared fixtures", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const { text } = c;

      test("lengths and pairs", () => {
        const index = new OffsetIndex(text);
        assert.equal(index.length, c.code_points);
        assert.equal(Array.from(text).length, c.code_points);
        assert.equal(index.utf16Length, c.utf16_units);
        assert.equal(utf16Length(text), text.length);
        for (const [codePoint, unit] of c.pairs) {
          assert.equal(unitsBefore(text, codePoint), unit);
          assert.equal(index.toUtf16(codePoint), unit);
          assert.equal(index.fromUtf16(unit), codePoint);
          assert.equal(toUtf16(text, codePoint), unit);
          assert.equal(fromUtf16(text, unit), codePoint);
        }
      });

      test("offsets inside a surrogate pair", () => {
        const index = new OffsetIndex(text);
        for (const item of c.inside_pair) {
          assert.throws(() => index.fromUtf16(item.utf16), RangeError);
          assert.throws(() => fromUtf16(text, item.utf16), /surrogate pair/);
          assert.equal(index.fromUtf16(item.utf16, "down"), item.down);
          assert.equal(index.fromUtf16(item.utf16, "up"), item.up);
          // The pair really is there: a high surrogate just before the offset.
          const high = text.charCodeAt(item.utf16 - 1);
          assert.ok(high >= 0xd800 && high <= 0xdbff);
        }
        const valid = new Set(c.pairs.map(([, unit]) => unit));
        const inside = c.inside_pair.map((item) => item.utf16);
        assert.equal(valid.size + inside.length, text.length + 1);
        assert.ok(inside.every((unit) => !valid.has(unit)));
      });

      test("trimWhitespace", () => {
        for (const item of c.trim) {
          const [start, end] = item.range;
          assert.deepEqual(trimWhitespace(text, start, end), item.expected);
          assert.deepEqual(
            new OffsetIndex(text).trimWhitespace(start, end),
            item.expected,
          );
        }
      });

      test("snapToWords", () => {
        for (const item of c.snap) {
          const [start, end] = item.range;
          const snapped = snapToWords(text, start, end);
          assert.deepEqual(snapped, item.expected, `range ${item.range}`);
          assert.deepEqual(new OffsetIndex(text).snapToWords(start, end), snapped);
          if (snapped) {
            const index = new OffsetIndex(text);
            const shown = text.slice(index.toUtf16(snapped[0]), index.toUtf16(snapped[1]));
            assert.equal(shown, item.result);
          }
        }
      });

      test("one character snaps to the token holding it", () => {
        const owner = new Map();
        for (const token of c.tokens) {
          for (let i = token[0]; i < token[1]; i += 1) owner.set(i, token);
        }
        const index = new OffsetIndex(text);
        for (let i = 0; i < index.length; i += 1) {
          assert.deepEqual(index.snapToWords(i, i + 1), owner.get(i) ?? null, `at ${i}`);
        }
      });
    });
  }
});

test("doccano regression: 'blast' is 53-58 in code points, 58-63 in UTF-16", () => {
  const { text } = CASES.find((c) => c.name === "doccano_regression");
  const index = new OffsetIndex(text);
  assert.equal(text.indexOf("blast"), 58);
  assert.deepEqual([index.fromUtf16(58), index.fromUtf16(63)], [53, 58]);
  assert.deepEqual([index.toUtf16(53), index.toUtf16(58)], [58, 63]);
  assert.equal(Array.from(text).slice(53, 58).join(""), "blast");
  assert.notEqual(text.slice(53, 58), "blast");
});

describe("snapping never splits what a reader sees as one character", () => {
  const whole = [
    ["👍🏽", 0, 1],
    ["👍🏽", 1, 2],
    ["👨\u200d👩\u200d👧", 2, 3],
    ["👨\u200d👩\u200d👧", 1, 4],
    ["e\u0301", 0, 1],
    ["e\u0301", 1, 2],
    ["🇫🇷", 0, 1],
  ];
  for (const [text, start, end] of whole) {
    test(`${JSON.stringify(text)} [${start}, ${end})`, () => {
      assert.deepEqual(snapToWords(text, start, end), [0, Array.from(text).length]);
    });
  }
});

describe("errors", () => {
  test("offsets out of range are RangeErrors", () => {
    assert.throws(() => toUtf16("a👍🏽bc", -1), RangeError);
    assert.throws(() => toUtf16("a👍🏽bc", 6), /outside 0\.\.5/);
    assert.throws(() => fromUtf16("a👍🏽bc", 8), /outside 0\.\.7/);
    assert.throws(() => trimWhitespace("abc", 0, 4), RangeError);
    assert.throws(() => snapToWords("abc", 2, 1), /after end/);
  });

  test("non-integers are TypeErrors", () => {
    assert.throws(() => toUtf16("abc", 1.5), TypeError);
    assert.throws(() => toUtf16("abc", "1"), TypeError);
    assert.throws(() => snapToWords("abc", 0, Number.NaN), TypeError);
    assert.throws(() => new OffsetIndex(null), TypeError);
  });

  test("unknown rounding is a RangeError", () => {
    assert.throws(() => fromUtf16("abc", 1, "nearest"), /rounding/);
  });

  test("a lone surrogate counts as one code point", () => {
    const index = new OffsetIndex("a\ud83db");
    assert.equal(index.length, 3);
    assert.equal(index.fromUtf16(2), 2);
  });
});

// --- properties on generated strings ------------------------------------

function random(seed) {
  // mulberry32: small, seeded, good enough for test data.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const TRICKY = [
  "👍🏽", "👨\u200d👩\u200d👧", "e\u0301", "中文", "\r\n", "\u00a0", " ", "🇫🇷",
  "\u{1D400}", "\u200d", "\ufe0f", "a", ".", "\u0085", "\ufeff",
];
// Python's str.isspace(), written out independently of the module.
const SPACES = new Set(
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004" +
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
);

function generatedStrings(count, seed) {
  const next = random(seed);
  const strings = [];
  for (let n = 0; n < count; n += 1) {
    let text = "";
    const size = Math.floor(next() * 30);
    for (let i = 0; i < size; i += 1) {
      if (next() < 0.6) {
        text += TRICKY[Math.floor(next() * TRICKY.length)];
      } else {
        let cp = Math.floor(next() * (next() < 0.5 ? 0x3000 : 0x110000));
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
        text += String.fromCodePoint(cp);
      }
    }
    strings.push(text);
  }
  return strings;
}

describe("properties", () => {
  const strings = generatedStrings(500, 42);

  test("round trip code point → UTF-16 → code point, and slices agree", () => {
    for (const text of strings) {
      const chars = Array.from(text);
      const index = new OffsetIndex(text);
      assert.equal(index.length, chars.length);
      const boundaries = new Set();
      for (let cp = 0; cp <= chars.length; cp += 1) {
        const unit = index.toUtf16(cp);
        assert.equal(unit, chars.slice(0, cp).join("").length);
        assert.equal(index.fromUtf16(unit), cp);
        boundaries.add(unit);
      }
      for (let unit = 0; unit <= text.length; unit += 1) {
        if (boundaries.has(unit)) continue;
        assert.throws(() => index.fromUtf16(unit), RangeError);
        const down = index.fromUtf16(unit, "down");
        assert.equal(index.fromUtf16(unit, "up"), down + 1);
        assert.ok(chars[down].length === 2);
      }
      const start = Math.floor(chars.length / 3);
      const end = Math.floor((2 * chars.length) / 3);
      assert.equal(
        text.slice(index.toUtf16(start), index.toUtf16(end)),
        chars.slice(start, end).join(""),
      );
    }
  });

  test("trimWhitespace drops exactly Python's whitespace at the edges", () => {
    for (const text of strings) {
      const chars = Array.from(text);
      for (let start = 0; start <= chars.length; start += 3) {
        const end = chars.length - Math.floor(start / 2);
        if (end < start) continue;
        let s = start;
        let e = end;
        while (s < e && SPACES.has(chars[s])) s += 1;
        while (e > s && SPACES.has(chars[e - 1])) e -= 1;
        assert.deepEqual(trimWhitespace(text, start, end), s < e ? [s, e] : null);
      }
    }
  });

  test("snapToWords is the hull of the one-character snaps it touches", () => {
    for (const text of strings) {
      const index = new OffsetIndex(text);
      const single = [];
      for (let i = 0; i < index.length; i += 1) single.push(index.snapToWords(i, i + 1));
      // One-character snaps partition the non-space characters into tokens.
      for (let i = 0; i < index.length; i += 1) {
        const token = single[i];
        if (token === null) continue;
        assert.ok(token[0] <= i && i < token[1]);
        for (let j = token[0]; j < token[1]; j += 1) assert.deepEqual(single[j], token);
      }
      for (let start = 0; start < index.length; start += 2) {
        const end = Math.min(index.length, start + 1 + (start % 7));
        const touched = single.slice(start, end).filter(Boolean);
        const hull = touched.length
          ? [touched[0][0], touched[touched.length - 1][1]]
          : null;
        const snapped = index.snapToWords(start, end);
        assert.deepEqual(snapped, hull, `${JSON.stringify(text)} [${start}, ${end})`);
        if (snapped) assert.deepEqual(index.snapToWords(...snapped), snapped);
      }
    }
  });
});

describe("a long, mixed text (speed is measured in bench/, not here)", () => {
  test("4,000 offsets round-trip on a 100 KB text", () => {
    const next = random(7);
    const pieces = ["word ", "👍🏽 ", "中文", "e\u0301 ", "\r\n", "👨\u200d👩\u200d👧 "];
    let text = "";
    while (text.length < 100_000) text += pieces[Math.floor(next() * pieces.length)];
    const length = new OffsetIndex(text).length;
    const offsets = Array.from({ length: 4000 }, () => Math.floor(next() * (length + 1)));
    const index = new OffsetIndex(text);
    const codePoints = Array.from(text);
    for (const cp of offsets.slice(0, 200)) {
      assert.equal(index.toUtf16(cp), codePoints.slice(0, cp).join("").length);
    }
    assert.deepEqual(offsets.map((cp) => index.fromUtf16(index.toUtf16(cp))), offsets);
  });

  test("BMP text converts as the identity", () => {
    const text = "Ünïcödé 中文 text\r\n".repeat(1000);
    const index = new OffsetIndex(text);
    assert.equal(index.length, text.length);
    for (let i = 0; i <= text.length; i += 97) {
      assert.equal(index.toUtf16(i), i);
      assert.equal(index.fromUtf16(i), i);
    }
  });
});
