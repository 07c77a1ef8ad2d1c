/**
 * Offsets in stored texts: code points on the server, UTF-16 in the browser.
 *
 * Twin of annotator/core/offsets.py, with the same functions and semantics;
 * both are tested on tests/data/offsets_cases.json. Every offset the server
 * stores or sends is a Unicode code point index, end exclusive. The DOM counts
 * UTF-16 code units (Range offsets, String.length), where a character outside
 * the Basic Multilingual Plane (most emoji) is a surrogate pair of two units.
 * Convert here and nowhere else: take UTF-16 offsets from the DOM, turn them
 * into code points with an OffsetIndex, snap or trim in code points, send code
 * points to the server, and turn them back into UTF-16 only to render.
 *
 * Newline policy: stored text is never normalised. CRLF is two code points
 * (two UTF-16 units) and stays so; set the text with textContent from JSON,
 * never through the HTML parser, which turns CRLF into LF.
 *
 * Characters as a reader sees them: extended grapheme clusters (Unicode UAX
 * #29: a letter with its accents, an emoji with its skin tone or ZWJ partners,
 * a flag, a Hangul syllable of jamo, CRLF). A span the server stores starts
 * and ends only between them; snapToGraphemes widens a range to them, found by
 * Intl.Segmenter once per OffsetIndex. The server uses the regex package's \X;
 * both are tested on tests/data/grapheme_cases.json.
 *
 * Whitespace is exactly Python's str.isspace() (not JavaScript's \s: that has
 * U+FEFF but lacks U+001C..U+001F and U+0085). Tokens are those of
 * annotator/core/tokens.py, rebuilt from Unicode property escapes; letters,
 * numbers and marks follow this engine's Unicode version, so they can only
 * differ from the server for characters assigned after Python's.
 *
 * Errors: RangeError for an offset out of range or inside a surrogate pair
 * (Python: ValueError), TypeError for a non-integer offset. A lone surrogate
 * (which the server never stores) counts as one code point.
 *
 * Plain ES module, no DOM, no dependencies: works in the browser and in Node.
 */

const SPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A" +
  "\\u2028\\u2029\\u202F\\u205F\\u3000";
const WORD_CLASS = "\\p{L}\\p{N}_";
// Marks, skin-tone modifiers and emoji tag characters stay with the character
// before them, and so does anything joined with ZERO WIDTH JOINER.
const EXTENDER =
  "[\\p{M}\\u{1F3FB}-\\u{1F3FF}\\u{E0020}-\\u{E007F}]" +
  `|\\u200D[^${SPACE_CLASS}]`;
const WORD = `(?:[${WORD_CLASS}]|${EXTENDER})+`;
const FLAG = `[\\u{1F1E6}-\\u{1F1FF}]{2}(?:${EXTENDER})*`;
const OTHER = `[^${SPACE_CLASS}${WORD_CLASS}](?:${EXTENDER})*`;
const TOKEN = new RegExp(`${WORD}|${FLAG}|${OTHER}`, "gu");
const SPACE = new RegExp(`[${SPACE_CLASS}]`, "u");
const SURROGATE = /[\uD800-\uDFFF]/;
const ROUNDINGS = ["error", "down", "up"];
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function isSpaceAt(text, index) {
  // Every space is a single BMP unit, so testing one unit is enough.
  return SPACE.test(text[index]);
}

function checkOffset(offset, length) {
  if (!Number.isInteger(offset)) {
    throw new TypeError(`offset must be an integer, not ${offset}`);
  }
  if (offset < 0 || offset > length) {
    throw new RangeError(`offset ${offset} is outside 0..${length}`);
  }
}

function checkRange(start, end, length) {
  checkOffset(start, length);
  checkOffset(end, length);
  if (start > end) {
    throw new RangeError(`start ${start} is after end ${end}`);
  }
}

function bisectLeft(values, target) {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function bisectRight(values, target) {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function clusterStarts(text) {
  // UTF-16 index of every grapheme cluster, then text.length.
  const starts = [];
  for (const { index } of GRAPHEMES.segment(text)) starts.push(index);
  starts.push(text.length);
  return starts;
}

function astralStarts(text) {
  // UTF-16 index of every well-formed surrogate pair.
  const starts = [];
  if (!SURROGATE.test(text)) return starts;
  for (let i = 0; i < text.length - 1; i += 1) {
    const high = text.charCodeAt(i);
    if (high >= 0xd800 && high <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        starts.push(i);
        i += 1;
      }
    }
  }
  return starts;
}

function trimUtf16(text, start, end) {
  while (start < end && isSpaceAt(text, start)) start += 1;
  while (end > start && isSpaceAt(text, end - 1)) end -= 1;
  return start < end ? [start, end] : null;
}

function enclosingToken(text, offset) {
  // The token strictly around UTF-16 `offset`, or [offset, offset].
  if (offset === 0 || offset === text.length) return [offset, offset];
  if (isSpaceAt(text, offset - 1) || isSpaceAt(text, offset)) {
    return [offset, offset];
  }
  // Tokens never contain whitespace: start matching after the last space.
  let first = offset - 1;
  while (first > 0 && !isSpaceAt(text, first - 1)) first -= 1;
  TOKEN.lastIndex = first;
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    if (match.index >= offset) break;
    const tokenEnd = match.index + match[0].length;
    if (tokenEnd > offset) return [match.index, tokenEnd];
  }
  return [offset, offset];
}

/** Converts many offsets of one text between code points and UTF-16 units. */
export class OffsetIndex {
  #astral;
  #astralUtf16;
  #clusters = null;

  /** One pass over the text; for BMP-only text no per-character work at all. */
  constructor(text) {
    if (typeof text !== "string") {
      throw new TypeError("text must be a string");
    }
    this.text = text;
    this.#astralUtf16 = astralStarts(text);
    this.#astral = this.#astralUtf16.map((unit, k) => unit - k);
    this.utf16Length = text.length;
    this.length = text.length - this.#astralUtf16.length;
  }

  /** UTF-16 code unit offset of code point `offset` (0 ≤ offset ≤ length). */
  toUtf16(offset) {
    checkOffset(offset, this.length);
    if (this.#astral.length === 0) return offset;
    return offset + bisectLeft(this.#astral, offset);
  }

  /**
   * Code point offset of UTF-16 `offset`; inside a surrogate pair throw a
   * RangeError ("error"), or move to the pair's start ("down") or end ("up").
   */
  fromUtf16(offset, rounding = "error") {
    checkOffset(offset, this.utf16Length);
    if (!ROUNDINGS.includes(rounding)) {
      throw new RangeError(`rounding must be one of ${ROUNDINGS}, not ${rounding}`);
    }
    const pairs = this.#astralUtf16;
    if (pairs.length === 0) return offset;
    // Pairs wholly before the offset start at or before offset - 2.
    const before = bisectLeft(pairs, offset - 1);
    const codePoint = offset - before;
    if (pairs[before] !== offset - 1) return codePoint;
    if (rounding === "error") {
      throw new RangeError(
        `UTF-16 offset ${offset} falls inside the surrogate pair of the ` +
          `character at code point ${codePoint - 1}`,
      );
    }
    return rounding === "down" ? codePoint - 1 : codePoint;
  }

  /** Same as the module function trimWhitespace on this text. */
  trimWhitespace(start, end) {
    checkRange(start, end, this.length);
    return this.#fromUtf16Range(
      trimUtf16(this.text, this.toUtf16(start), this.toUtf16(end)),
    );
  }

  /** Same as the module function snapToWords on this text. */
  snapToWords(start, end) {
    checkRange(start, end, this.length);
    if (start === end) return null;
    const first = enclosingToken(this.text, this.toUtf16(start))[0];
    const last = enclosingToken(this.text, this.toUtf16(end))[1];
    return this.#fromUtf16Range(trimUtf16(this.text, first, last));
  }

  /** Code point offsets between grapheme clusters, 0 and length included. */
  graphemeBoundaries() {
    return this.#clusterUnits().map((unit) => this.fromUtf16(unit));
  }

  /** Whether code point `offset` splits no grapheme cluster. */
  isGraphemeBoundary(offset) {
    const unit = this.toUtf16(offset);
    const units = this.#clusterUnits();
    return units[bisectLeft(units, unit)] === unit;
  }

  /**
   * Code points [start, end) widened so that neither edge splits a grapheme
   * cluster; returns [start, end] (a caret inside a cluster gives the cluster).
   */
  snapToGraphemes(start, end) {
    checkRange(start, end, this.length);
    const units = this.#clusterUnits();
    const first = units[bisectRight(units, this.toUtf16(start)) - 1];
    const last = units[bisectLeft(units, this.toUtf16(end))];
    return [this.fromUtf16(first), this.fromUtf16(last)];
  }

  #clusterUnits() {
    // Segmenting waits for the first question: most pages ask none.
    this.#clusters ??= clusterStarts(this.text);
    return this.#clusters;
  }

  #fromUtf16Range(range) {
    return range && [this.fromUtf16(range[0]), this.fromUtf16(range[1])];
  }
}

/** Length of `text` in UTF-16 code units (String.length; here for symmetry). */
export function utf16Length(text) {
  return new OffsetIndex(text).utf16Length;
}

/** UTF-16 code unit offset of code point `offset` in `text`. */
export function toUtf16(text, offset) {
  return new OffsetIndex(text).toUtf16(offset);
}

/** Code point offset of UTF-16 `offset` in `text`; see OffsetIndex#fromUtf16. */
export function fromUtf16(text, offset, rounding = "error") {
  return new OffsetIndex(text).fromUtf16(offset, rounding);
}

/**
 * Shrink code points [start, end) to drop leading and trailing whitespace;
 * returns [start, end], or null if nothing is left.
 */
export function trimWhitespace(text, start, end) {
  return new OffsetIndex(text).trimWhitespace(start, end);
}

/**
 * Widen code points [start, end) to whole tokens (as core/tokens.py), then
 * trim whitespace; returns [start, end], or null for an empty range or one of
 * whitespace only.
 */
export function snapToWords(text, start, end) {
  return new OffsetIndex(text).snapToWords(start, end);
}

/** Code point offsets between grapheme clusters of `text`, 0 and length included. */
export function graphemeBoundaries(text) {
  return new OffsetIndex(text).graphemeBoundaries();
}

/** Widen code points [start, end) to grapheme cluster boundaries; [start, end]. */
export function snapToGraphemes(text, start, end) {
  return new OffsetIndex(text).snapToGraphemes(start, end);
}
