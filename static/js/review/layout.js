// Where things go on the review page, without the DOM: the text cut into
// rows that fit a width, each lane's spans packed into tracks so that a lane
// never draws two spans over one word, and a row cut into runs. Offsets are
// code points, end exclusive.

const BREAK = /\r\n|\n|\r/g;
const PIECE = /\s+|\S+/gu;

/**
 * The text as rows of at most ``maxWidth`` (as ``measure(text)`` answers
 * widths), broken after spaces; a line break ends a row and belongs to none.
 * Answers [{start, end}] in code points. A word wider than a row is a row.
 */
export function lineRows(text, maxWidth, measure) {
  const rows = [];
  const widths = new Map();
  const width = (piece) => {
    if (!widths.has(piece)) widths.set(piece, measure(piece));
    return widths.get(piece);
  };
  let offset = 0; // code points before the current line
  let unitsDone = 0;
  const lines = [];
  for (const found of text.matchAll(BREAK)) {
    lines.push([text.slice(unitsDone, found.index), found[0].length]);
    unitsDone = found.index + found[0].length;
  }
  lines.push([text.slice(unitsDone), 0]);
  for (const [line, breakLength] of lines) {
    let rowStart = offset;
    let used = 0;
    let at = offset;
    for (const [piece] of line.matchAll(PIECE)) {
      const length = [...piece].length;
      const w = width(piece);
      const space = /^\s/u.test(piece);
      if (!space && used > 0 && used + w > maxWidth) {
        rows.push({ start: rowStart, end: at });
        rowStart = at;
        used = 0;
      }
      used += w;
      at += length;
    }
    rows.push({ start: rowStart, end: at });
    offset = at + breakLength;
  }
  return rows;
}

/**
 * Tracks for one lane: each span (with ``start``, ``end``) gets the lowest
 * track free where it starts. Answers {track: Map(span → index), depth}.
 */
export function packTracks(spans) {
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const ends = [];
  const track = new Map();
  for (const span of ordered) {
    let free = ends.findIndex((end) => end <= span.start);
    if (free === -1) free = ends.push(0) - 1;
    ends[free] = span.end;
    track.set(span, free);
  }
  return { track, depth: ends.length };
}

/**
 * Row [start, end) cut into runs by ``items`` (each {start, end}, not
 * overlapping one another, sorted by start): [{start, end, item}] where item
 * is null between them. ``from`` is where in ``items`` to begin looking.
 */
export function cutRow(start, end, items, from = 0) {
  const runs = [];
  let at = start;
  for (let i = from; i < items.length && items[i].start < end; i += 1) {
    const item = items[i];
    if (item.end <= start) continue;
    const a = Math.max(item.start, start);
    const b = Math.min(item.end, end);
    if (a > at) runs.push({ start: at, end: a, item: null });
    runs.push({ start: a, end: b, item });
    at = b;
  }
  if (at < end) runs.push({ start: at, end, item: null });
  return runs;
}

/** Index of the first item whose end is after ``offset`` (items by start). */
export function firstEndingAfter(items, offset) {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (items[middle].end <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Running maximum of the items' ends (items sorted by start). */
export function reach(items) {
  const ends = [];
  let most = -Infinity;
  for (const item of items) {
    most = Math.max(most, item.end);
    ends.push(most);
  }
  return ends;
}

/**
 * The items (sorted by start; ``reached`` is reach(items)) overlapping
 * [start, end), by one bisection and a scan of the candidates.
 */
export function overlapping(items, reached, start, end) {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (reached[middle] <= start) low = middle + 1;
    else high = middle;
  }
  const found = [];
  for (let i = low; i < items.length && items[i].start < end; i += 1) {
    if (items[i].end > start) found.push(items[i]);
  }
  return found;
}

/**
 * Row [start, end) cut at every boundary of ``items`` (sorted by start, may
 * nest or overlap; ``reached`` is reach(items)): [{start, end, items}] with
 * the items covering each run, outermost first.
 */
export function cutNested(start, end, items, reached) {
  const near = overlapping(items, reached, start, end);
  const cuts = new Set([start, end]);
  for (const item of near) {
    if (item.start > start) cuts.add(item.start);
    if (item.end < end) cuts.add(item.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const runs = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [a, b] = [points[i], points[i + 1]];
    runs.push({ start: a, end: b, items: near.filter((item) => item.start <= a && b <= item.end) });
  }
  return runs;
}
