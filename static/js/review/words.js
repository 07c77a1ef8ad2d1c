// The words of a group's versions, and a gold boundary moved by a word. Pure
// (no DOM); offsets are code points, end exclusive, over an OffsetIndex
// (static/js/lib/offsets.js), whose tokens are the server's.

/** The text as an array of code points, so that offsets index it directly. */
export function codePoints(text) {
  return Array.from(text);
}

/** Whether [start, end) of a version covers code point range [a, b). */
function covers(ranges, a, b) {
  return ranges.some(([start, end]) => start <= a && b <= end);
}

/**
 * Each version's words, marked against the others. ``versions`` are
 * {key, ranges: [[start, end], …]}; every version is cut at every version's
 * boundaries over their common extent. A piece is "same" (every version has
 * it), "ins" (this version has it, another has not) or "del" (another version
 * has it, this one has not); pieces no version covers are "gap". Answers
 * {key, pieces: [{text, kind, start, end}]} per version, in order, with
 * neighbouring pieces of one kind merged.
 */
export function wordDiff(chars, versions) {
  const all = versions.flatMap((v) => v.ranges);
  if (!all.length) return versions.map((v) => ({ key: v.key, pieces: [] }));
  const cuts = [...new Set(all.flat())].sort((a, b) => a - b);
  const counts = [];
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    counts.push(versions.filter((v) => covers(v.ranges, cuts[i], cuts[i + 1])).length);
  }
  return versions.map((version) => {
    const pieces = [];
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const [start, end] = [cuts[i], cuts[i + 1]];
      const mine = covers(version.ranges, start, end);
      let kind = "gap";
      if (mine) kind = counts[i] === versions.length ? "same" : "ins";
      else if (counts[i] > 0) kind = "del";
      const last = pieces[pieces.length - 1];
      if (last && last.kind === kind) {
        last.end = end;
        last.text += chars.slice(start, end).join("");
      } else {
        pieces.push({ kind, start, end, text: chars.slice(start, end).join("") });
      }
    }
    return { key: version.key, pieces };
  });
}

function isSpace(index, offset) {
  return index.trimWhitespace(offset, offset + 1) === null;
}

/** The token (as core/tokens.py) holding code point ``offset``. */
function tokenAt(index, offset) {
  return index.snapToWords(offset, offset + 1);
}

/** Start of the next token at or after ``offset``, or null. */
function nextTokenStart(index, offset) {
  let at = offset;
  while (at < index.length && isSpace(index, at)) at += 1;
  return at < index.length ? at : null;
}

/** End of the last token ending at or before ``offset``, or null. */
function previousTokenEnd(index, offset) {
  let at = offset;
  while (at > 0 && isSpace(index, at - 1)) at -= 1;
  return at > 0 ? at : null;
}

/**
 * Gold span [start, end) with one boundary moved by a token: ``edge`` "end"
 * or "start", ``step`` +1 (right) or -1 (left). Answers [start, end], or null
 * when the move would leave the text or an empty span.
 */
export function moveBoundary(index, start, end, edge, step) {
  if (edge === "end" && step > 0) {
    const next = nextTokenStart(index, end);
    return next === null ? null : [start, tokenAt(index, next)[1]];
  }
  if (edge === "end") {
    const inner = previousTokenEnd(index, end);
    if (inner === null) return null;
    const before = previousTokenEnd(index, tokenAt(index, inner - 1)[0]);
    return before === null || before <= start ? null : [start, before];
  }
  if (step < 0) {
    const before = previousTokenEnd(index, start);
    return before === null ? null : [tokenAt(index, before - 1)[0], end];
  }
  const first = tokenAt(index, start) ?? [start, start + 1];
  const after = nextTokenStart(index, first[1]);
  return after === null || after >= end ? null : [after, end];
}
