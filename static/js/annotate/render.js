/**
 * Draw the document with its spans.
 *
 * The text is split into paragraphs (after each line feed), each a block that
 * the browser may skip laying out while it is off screen, and that is redrawn
 * alone when a span in it changes. Inside a paragraph one pass cuts the text at
 * every span boundary; each piece becomes a text node wrapped in one element
 * per span covering it. Each span keeps one "lane" (underline depth) across
 * the paragraph, so nested and overlapping spans show as separate stacked
 * underlines in their label's colour and underline style, titled with the
 * label's name, and the element where a span starts carries its label's name
 * in data-tag, which the style sheet prints as a small tag (generated
 * content: not in the text, not selectable). The text nodes hold exactly the
 * document's text, in order.
 */

import { tagsAt } from "../lib/labeltags.js";

const MAX_LANE = 7;

function paragraphStarts(text) {
  const starts = [0];
  let at = text.indexOf("\n");
  while (at !== -1 && at + 1 < text.length) {
    starts.push(at + 1);
    at = text.indexOf("\n", at + 1);
  }
  return starts;
}

/** Index of the last value ≤ target in sorted `values`. */
function lastAtOrBefore(values, target) {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (values[middle] <= target) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Lane per span key: the lowest lane free where the span starts. */
function assignLanes(pieces) {
  const laneEnds = [];
  const lanes = new Map();
  for (const piece of pieces) {
    let lane = laneEnds.findIndex((end) => end <= piece.from);
    if (lane === -1) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = piece.to;
    lanes.set(piece.span.key, lane);
  }
  return { lanes, depth: laneEnds.length };
}

function boundaries(pieces, from, to) {
  const points = new Set([from, to]);
  for (const piece of pieces) {
    points.add(piece.from);
    points.add(piece.to);
  }
  return [...points].sort((a, b) => a - b);
}

/**
 * One span's element for one piece of text. The first draw makes thousands
 * (2,000 spans and 2,000 suggestions: bench.annotate_suggestions_bench), so
 * attributes are set directly (setAttribute, not dataset's name mapping) and
 * the look and class name come made once per span and draw (`made`).
 */
function markElement(span, made, tagged) {
  const element = document.createElement("span");
  element.className = made.className;
  element.setAttribute("data-key", span.key);
  element.title = made.look.title;
  if (tagged && made.look.tag) element.setAttribute("data-tag", made.look.tag);
  return element;
}

export class DocumentView {
  /**
   * @param {HTMLElement} root Receives the text; emptied first.
   * @param {string} text The document's text.
   * @param {(span) => {className: string, title: string, tag: string}} look
   */
  constructor(root, text, look) {
    Object.assign(this, { root, text, look });
    this.starts = paragraphStarts(text);
    this.ends = [...this.starts.slice(1), text.length];
    /** UTF-16 start of every text node shown, for selections. */
    this.textStarts = new WeakMap();
    this.blocks = this.starts.map((start, p) => {
      const block = document.createElement("div");
      block.className = "paragraph";
      const node = document.createTextNode(text.slice(start, this.ends[p]));
      this.textStarts.set(node, start);
      block.append(node);
      return block;
    });
    root.replaceChildren(...this.blocks);
  }

  /** Redraw everything; `spans` ({key, start16, end16, label}) in any order. */
  renderAll(spans) {
    const buckets = this.blocks.map(() => []);
    for (const span of spans) {
      for (const p of this.#overlapping(span.start16, span.end16)) buckets[p].push(span);
    }
    buckets.forEach((bucket, p) => this.#renderParagraph(p, bucket));
  }

  /** Redraw only the paragraphs that UTF-16 `ranges` ([start, end]) touch. */
  renderRanges(ranges, spans) {
    const touched = new Set();
    for (const [start, end] of ranges) {
      for (const p of this.#overlapping(start, end)) touched.add(p);
    }
    for (const p of touched) {
      const [from, to] = [this.starts[p], this.ends[p]];
      this.#renderParagraph(p, spans.filter((s) => s.start16 < to && s.end16 > from));
    }
  }

  /** The text node and offset in it of UTF-16 offset `unit` (0..length). */
  pointAt(unit) {
    const p = lastAtOrBefore(this.starts, Math.min(unit, this.text.length));
    const walker = document.createTreeWalker(this.blocks[p], NodeFilter.SHOW_TEXT);
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const start = this.textStarts.get(node);
      if (unit < start + node.data.length) return { node, offset: unit - start };
      last = node;
    }
    return { node: last, offset: last ? last.data.length : 0 };
  }

  /** Paragraph [start, end) around UTF-16 `unit`, in UTF-16 units. */
  paragraphAt(unit) {
    const p = lastAtOrBefore(this.starts, Math.min(unit, this.text.length));
    return [this.starts[p], this.ends[p]];
  }

  #overlapping(start, end) {
    const first = lastAtOrBefore(this.starts, start);
    const last = lastAtOrBefore(this.starts, Math.max(start, end - 1));
    const indices = [];
    for (let p = first; p <= last; p += 1) indices.push(p);
    return indices;
  }

  #renderParagraph(p, spans) {
    const [from, to] = [this.starts[p], this.ends[p]];
    const pieces = spans
      .map((span) => ({
        span,
        from: Math.max(span.start16, from),
        to: Math.min(span.end16, to),
      }))
      .sort((a, b) => a.from - b.from || b.to - a.to);
    const { lanes, depth } = assignLanes(pieces);
    const tags = tagsAt(spans, from, to);
    const points = boundaries(pieces, from, to);
    const made = this.#made(pieces, lanes);
    const byLane = (a, b) => made.get(a.span.key).lane - made.get(b.span.key).lane;
    const fragment = document.createDocumentFragment();
    let active = [];
    let next = 0;
    for (let i = 0; i < points.length - 1; i += 1) {
      const [start, end] = [points[i], points[i + 1]];
      const before = active.length;
      active = active.filter((piece) => piece.to > start);
      let changed = active.length !== before;
      while (next < pieces.length && pieces[next].from <= start) {
        if (pieces[next].to > start) {
          active.push(pieces[next]);
          changed = true;
        }
        next += 1;
      }
      if (changed) active.sort(byLane);
      fragment.append(this.#segment(start, end, active, made, tags.get(start)));
    }
    const block = this.blocks[p];
    block.replaceChildren(fragment);
    block.dataset.depth = String(Math.min(depth, MAX_LANE + 1));
  }

  #segment(start, end, active, made, tagged = []) {
    const node = document.createTextNode(this.text.slice(start, end));
    this.textStarts.set(node, start);
    let piece = node;
    for (let k = active.length - 1; k >= 0; k -= 1) {
      const { span } = active[k];
      const wrapper = markElement(span, made.get(span.key), tagged.includes(span.key));
      wrapper.append(piece);
      piece = wrapper;
    }
    return piece;
  }

  /** Per span key: its lane, look and class name, asked for once per draw. */
  #made(pieces, lanes) {
    const made = new Map();
    for (const { span } of pieces) {
      const lane = lanes.get(span.key);
      const look = this.look(span);
      const className = `mark lane-${Math.min(lane, MAX_LANE)} ${look.className}`;
      made.set(span.key, { lane, look, className });
    }
    return made;
  }
}
