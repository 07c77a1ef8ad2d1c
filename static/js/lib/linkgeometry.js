/**
 * Where a link's arc goes over the text: from the top of the source span's
 * first box to the top of the target span's first box, rising above both so
 * it crosses no text of either, and never above the drawing's top edge.
 *
 * Boxes are {left, top, width, height} in the drawing's pixels. The arc is a
 * cubic Bézier whose ends are vertical, so an arrowhead at the end points
 * down onto the target.
 *
 * Plain ES module, no DOM: works in the browser and in Node.
 */

const round = (value) => Math.round(value * 10) / 10;

/** The middle of a box's top edge. */
export function anchor(box) {
  return { x: box.left + box.width / 2, y: box.top };
}

/** How far the arc rises above the higher end: more for distant spans. */
export function rise(from, to) {
  const distance = Math.hypot(to.x - from.x, to.y - from.y);
  return Math.min(56, 14 + distance / 8);
}

/**
 * The arc from box `source` to box `target`: {d, start, end, peak, label},
 * where d is an SVG path, label the point for the link's kind (the middle of
 * the curve) and peak its highest y.
 */
export function linkArc(source, target, { top = 0 } = {}) {
  const start = anchor(source);
  const end = anchor(target);
  const control = Math.max(top, Math.min(start.y, end.y) - rise(start, end));
  const d =
    `M ${round(start.x)} ${round(start.y)} ` +
    `C ${round(start.x)} ${round(control)}, ${round(end.x)} ${round(control)}, ` +
    `${round(end.x)} ${round(end.y)}`;
  // A cubic with both controls at height `control` peaks at t = 1/2.
  const peak = (start.y + end.y + 6 * control) / 8;
  return {
    d,
    start,
    end,
    peak,
    label: { x: round((start.x + end.x) / 2), y: round(peak) },
  };
}
