/**
 * Draw the document with its spans.
 *
 * One pass: the text is cut at every span boundary, and each piece becomes a
 * text node wrapped in one element per span covering it, innermost last. Each
 * span keeps one "lane" (underline depth) along its whole length, so nested
 * and overlapping spans show as separate stacked underlines, each in its
 * label's colour and underline style, with the label's name as the title.
 */

const MAX_LANE = 7;

/** Lane per span key: the lowest lane free at the span's start. */
function assignLanes(spans) {
  const laneEnds = [];
  const lanes = new Map();
  for (const span of spans) {
    let lane = laneEnds.findIndex((end) => end <= span.start16);
    if (lane === -1) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = span.end16;
    lanes.set(span.key, lane);
  }
  return { lanes, depth: laneEnds.length };
}

function boundaries(spans, length) {
  const points = new Set([0, length]);
  for (const span of spans) {
    points.add(span.start16);
    points.add(span.end16);
  }
  return [...points].sort((a, b) => a - b);
}

function markElement(span, lane, look) {
  const element = document.createElement("span");
  element.className = `mark lane-${Math.min(lane, MAX_LANE)} ${look.className}`;
  element.dataset.key = span.key;
  element.title = look.title;
  return element;
}

/**
 * Fill `root` with `text` and `spans` ({key, start16, end16, label}, sorted by
 * start16, longer first). `look(span)` gives {className, title}. Returns the
 * elements of each span key and the UTF-16 start of each text node.
 */
export function renderDocument(root, text, spans, look) {
  const { lanes, depth } = assignLanes(spans);
  const points = boundaries(spans, text.length);
  const fragment = document.createDocumentFragment();
  const elements = new Map(spans.map((span) => [span.key, []]));
  const textStarts = new Map();
  let active = [];
  let next = 0;
  for (let i = 0; i < points.length - 1; i += 1) {
    const [from, to] = [points[i], points[i + 1]];
    active = active.filter((span) => span.end16 > from);
    while (next < spans.length && spans[next].start16 <= from) {
      if (spans[next].end16 > from) active.push(spans[next]);
      next += 1;
    }
    active.sort((a, b) => lanes.get(a.key) - lanes.get(b.key));
    const node = document.createTextNode(text.slice(from, to));
    textStarts.set(node, from);
    let piece = node;
    for (let k = active.length - 1; k >= 0; k -= 1) {
      const span = active[k];
      const wrapper = markElement(span, lanes.get(span.key), look(span));
      wrapper.append(piece);
      elements.get(span.key).push(wrapper);
      piece = wrapper;
    }
    fragment.append(piece);
  }
  root.replaceChildren(fragment);
  root.dataset.depth = String(Math.min(depth, MAX_LANE + 1));
  return { elements, textStarts };
}
