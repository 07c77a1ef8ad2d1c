// The document once, in rows that fit the column, and under each row one
// lane per annotator and one for gold: each lane repeats only the words its
// spans cover, under the same words of the text (the hidden rest keeps them
// aligned), in the label's colour and underline style. Text is set with
// textContent only; offsets are code points.

import { cutNested, cutRow, firstEndingAfter, lineRows, packTracks, reach } from "./layout.js";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A width function for the text line's font (canvas measures, no layout). */
function measurer(probe) {
  const context = document.createElement("canvas").getContext("2d");
  const style = getComputedStyle(probe);
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  return (piece) => context.measureText(piece).width;
}

function textWidth(container) {
  const probe = element("div", "row");
  const line = element("div", "line text", "x");
  probe.append(element("div", "gutter"), line);
  container.append(probe);
  const width = line.clientWidth;
  const measure = measurer(line);
  probe.remove();
  return { width, measure };
}

/** Each lane's spans as tracks: [{key, name, tracks: [[item sorted by start]]}]. */
function laneTracks(lanes) {
  return lanes.map((lane) => {
    const { track, depth } = packTracks(lane.items);
    const tracks = Array.from({ length: Math.max(depth, 1) }, () => []);
    for (const item of [...lane.items].sort((a, b) => a.start - b.start)) {
      tracks[track.get(item)].push(item);
    }
    return { ...lane, tracks };
  });
}

const LONG_ROWS = 120;

/** What a row's lanes show, as a string ("" when no lane has a mark there). */
function rowKey(tracked, row, signature) {
  let key = "";
  let any = false;
  for (const lane of tracked) {
    for (const items of lane.tracks) {
      for (let i = firstEndingAfter(items, row.start); i < items.length && items[i].start < row.end; i += 1) {
        key += signature(items[i]);
        any = true;
      }
      key += ";";
    }
    key += "/";
  }
  return any ? key : "";
}

export class LaneView {
  /** ``look(item)`` answers a mark's classes and title; ``register(item, node)`` keeps it. */
  constructor(container, chars) {
    this.container = container;
    this.chars = chars;
    this.text = chars.join("");
    this.width = 0;
    this.rows = [];
  }

  slice(start, end) {
    return this.chars.slice(start, end).join("");
  }

  /** Recut the rows when the column's width changed; true if it did. */
  layout() {
    const { width, measure } = textWidth(this.container);
    if (Math.abs(width - this.width) < 8 && this.rows.length) return false;
    this.width = width;
    this.rows = lineRows(this.text, width * 0.97, measure);
    this.keys = null; // every row is drawn anew
    return true;
  }

  /**
   * Draw the rows: ``groups`` cut the text line; ``lanes`` are
   * [{key, name, items}] with items {start, end, …} handed to ``markOf(item,
   * node)`` to decorate. Text segments name their groups in data-groups.
   * ``signature(item)`` names what a mark shows: a row whose marks all show
   * the same as last time is kept (a decision redraws a few rows, not all).
   * The groups never change while the page is open (submitted work is fixed).
   */
  render(groups, lanes, markOf, signature) {
    const tracked = laneTracks(lanes);
    const reached = reach(groups);
    const keys = this.rows.map((row) => rowKey(tracked, row, signature));
    const old = this.keys ? [...this.container.children] : null;
    const fragment = document.createDocumentFragment();
    this.rows.forEach((row, i) => {
      if (old && this.keys[i] === keys[i]) return;
      const node = element("div", "row");
      node.dataset.start = String(row.start);
      node.dataset.end = String(row.end);
      node.append(element("div", "gutter"), this.#textLine(row, groups, reached));
      if (keys[i]) {
        for (const lane of tracked) this.#lane(node, row, lane, markOf);
      }
      if (old) old[i].replaceWith(node);
      else fragment.append(node);
    });
    if (!old) this.container.replaceChildren(fragment);
    this.keys = keys;
    // Long texts: rows off screen are not laid out until scrolled to.
    this.container.classList.toggle("long", this.rows.length > LONG_ROWS);
  }

  #textLine(row, groups, reached) {
    const line = element("div", "line text");
    line.dataset.start = String(row.start);
    line.dataset.end = String(row.end);
    for (const run of cutNested(row.start, row.end, groups, reached)) {
      const seg = element("span", "seg", this.slice(run.start, run.end));
      seg.dataset.start = String(run.start);
      if (run.items.length) {
        seg.classList.add("grp");
        seg.dataset.groups = run.items.map((g) => g.index).join(" ");
      }
      line.append(seg);
    }
    return line;
  }

  #lane(node, row, lane, markOf) {
    let drawn = 0;
    lane.tracks.forEach((items, depth) => {
      const from = firstEndingAfter(items, row.start);
      const runs = cutRow(row.start, row.end, items, from);
      if (!runs.some((run) => run.item) && (depth > 0 || drawn)) return;
      const line = element("div", `line lane lane-${lane.kind}`);
      line.dataset.lane = lane.key;
      line.setAttribute("aria-hidden", "true");
      const name = element("div", "gutter lane-name", depth === 0 ? lane.name : "");
      name.setAttribute("aria-hidden", "true");
      if (!runs.some((run) => run.item)) line.classList.add("empty");
      for (const run of runs) {
        const text = this.slice(run.start, run.end);
        if (!run.item) {
          line.append(element("span", "gap", text));
          continue;
        }
        const mark = element("span", "mk", text);
        markOf(run.item, mark, run.start === run.item.start);
        line.append(mark);
      }
      node.append(name, line);
      drawn += 1;
    });
  }
}

/** The row element holding code point ``offset`` (binary search by data-start). */
export function rowAt(container, offset) {
  const rows = container.children;
  let low = 0;
  let high = rows.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (Number(rows[middle].dataset.start) <= offset) low = middle;
    else high = middle - 1;
  }
  return rows[low] ?? null;
}
