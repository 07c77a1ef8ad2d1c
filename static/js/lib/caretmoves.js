/**
 * Where a keyboard caret goes in a stored text: by character (a grapheme
 * cluster: an emoji with its skin tone or ZWJ partners, a letter with its
 * accents, CRLF) or by word (Intl.Segmenter's words, which know CJK).
 *
 * Every offset in and out is a code point, end exclusive, and every offset
 * answered lies between grapheme clusters, so a span made from the caret's
 * range is one the server accepts. Word stops are the edges of words, numbers
 * and symbols such as emoji; spaces and punctuation are stepped over.
 *
 * Plain ES module, no DOM: works in the browser and in Node.
 */

import { OffsetIndex } from "./offsets.js";

const WORDS = new Intl.Segmenter(undefined, { granularity: "word" });
const SYMBOL = /[\p{Extended_Pictographic}\p{So}\p{Regional_Indicator}]/u;

function firstAbove(values, target) {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class CaretMoves {
  #graphemes = null;
  #words = null;

  /** @param {string | OffsetIndex} text The document's text (or its index). */
  constructor(text) {
    this.index = text instanceof OffsetIndex ? text : new OffsetIndex(text);
    this.length = this.index.length;
  }

  /** The next character boundary after code point `offset` (or the end). */
  nextCharacter(offset) {
    const stops = this.#clusters();
    return stops[firstAbove(stops, offset)] ?? this.length;
  }

  /** The character boundary before code point `offset` (or 0). */
  previousCharacter(offset) {
    const stops = this.#clusters();
    return stops[firstAbove(stops, offset - 1) - 1] ?? 0;
  }

  /** The end of the word that holds or follows `offset` (or the end). */
  nextWordEnd(offset) {
    const word = this.#wordList().find(([, end]) => end > offset);
    return word ? word[1] : this.length;
  }

  /** The start of the word that holds or precedes `offset` (or 0). */
  previousWordStart(offset) {
    const words = this.#wordList();
    for (let k = words.length - 1; k >= 0; k -= 1) {
      if (words[k][0] < offset) return words[k][0];
    }
    return 0;
  }

  /** Words as [start, end) code points, in order. */
  words() {
    return this.#wordList().map((word) => [...word]);
  }

  #clusters() {
    this.#graphemes ??= this.index.graphemeBoundaries();
    return this.#graphemes;
  }

  #wordList() {
    if (this.#words === null) {
      const { text } = this.index;
      this.#words = [];
      for (const { segment, index, isWordLike } of WORDS.segment(text)) {
        if (!isWordLike && !SYMBOL.test(segment)) continue;
        // The word segmenter may split a cluster (Hangul jamo): widen.
        const range = this.index.snapToGraphemes(
          this.index.fromUtf16(index),
          this.index.fromUtf16(index + segment.length),
        );
        const last = this.#words.at(-1);
        if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
        else this.#words.push(range);
      }
    }
    return this.#words;
  }
}
