// Links between spans: the gold layer's and the annotators' not yet in gold
// ("pending"), drawn as connectors between their marks in the lanes and
// listed with their words ("denial 'X' denies claim 'Y'"). Pending ones are
// dashed and say so; `p` accepts the focused one.

const SVG = "http://www.w3.org/2000/svg";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function quote(chars, span) {
  return span ? `${span.label} \u201c${chars.slice(span.start, span.end).join("")}\u201d` : "?";
}

/** The links as drawn and listed: [{id, kind, pending, who, source, target, from, to}]. */
export function linkItems(state, spansById) {
  const goldById = new Map(state.gold.map((g) => [g.id, g]));
  const gold = state.gold_links.map((l) => ({
    key: `gold-${l.id}`,
    id: l.id,
    kind: l.kind,
    pending: false,
    who: "gold",
    source: goldById.get(l.source_id),
    target: goldById.get(l.target_id),
    from: `[data-gold="${l.source_id}"]`,
    to: `[data-gold="${l.target_id}"]`,
  }));
  const pending = state.annotator_links_not_in_gold.map((l) => ({
    key: `pending-${l.id}`,
    id: l.id,
    kind: l.kind,
    pending: true,
    who: l.annotator,
    link: l,
    source: spansById.get(l.source_span_id),
    target: spansById.get(l.target_span_id),
    from: `[data-span="${l.source_span_id}"]`,
    to: `[data-span="${l.target_span_id}"]`,
  }));
  return [...gold, ...pending];
}

/** The list under the text: each link quoting its words. */
export function renderLinkList(list, items, chars, focusedKey, onUnlink) {
  list.replaceChildren();
  for (const item of items) {
    const li = element("li", item.pending ? "link pending" : "link");
    li.dataset.key = item.key;
    if (item.key === focusedKey) li.setAttribute("aria-current", "true");
    li.append(
      element("span", "who", item.who === "gold" ? "gold" : item.who),
      ": ",
      element("span", "words", `${quote(chars, item.source)} ${item.kind} ${quote(chars, item.target)}`),
    );
    if (item.pending) {
      const why = item.link.rejected_end ? "pending, an end is rejected" : "pending";
      li.append(" ", element("strong", "pending-tag", why));
      if (item.key === focusedKey) li.append(" ", element("span", "hint", "(p accepts it)"));
    } else {
      const unlink = element("button", "unlink", "Unlink");
      unlink.type = "button";
      unlink.addEventListener("click", () => onUnlink(item));
      li.append(" ", unlink);
    }
    list.append(li);
  }
  if (!items.length) list.append(element("li", "hint", "No links."));
}

function box(node, origin) {
  const rect = node.getBoundingClientRect();
  return { x: rect.right - origin.left, y: rect.top + rect.height / 2 - origin.top };
}

/**
 * Connectors in the right margin of ``wrap`` between each link's two marks:
 * gold links, and the pending links ``shown`` (those near the focused group),
 * dashed and labelled "pending".
 */
export function drawArcs(svg, wrap, items, focusedKey, shown) {
  const origin = wrap.getBoundingClientRect();
  svg.setAttribute("width", String(wrap.clientWidth));
  svg.setAttribute("height", String(wrap.scrollHeight));
  const paths = [];
  items.forEach((item, i) => {
    if (item.pending && !shown(item)) return;
    const from = wrap.querySelector(`.lane ${item.from}`);
    const to = wrap.querySelector(`.lane ${item.to}`);
    if (!from || !to) return;
    const a = box(from, origin);
    const b = box(to, origin);
    const gutter = wrap.clientWidth - 6 - (i % 5) * 6;
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", `M ${a.x + 2} ${a.y} H ${gutter} V ${b.y} H ${b.x + 3}`);
    path.setAttribute("class", `arc${item.pending ? " pending" : ""}${item.key === focusedKey ? " focused" : ""}`);
    path.setAttribute("marker-end", "url(#arrow)");
    paths.push(path);
    if (item.pending && item.key === focusedKey) {
      const tag = document.createElementNS(SVG, "text");
      // Written along the connector's vertical stroke, clear of the text.
      const x = gutter + 10;
      const y = (a.y + b.y) / 2;
      tag.setAttribute("x", String(x));
      tag.setAttribute("y", String(y));
      tag.setAttribute("transform", `rotate(-90 ${x} ${y})`);
      tag.setAttribute("class", "arc-tag");
      tag.setAttribute("text-anchor", "middle");
      tag.textContent = "pending";
      paths.push(tag);
    }
  });
  const defs = document.createElementNS(SVG, "defs");
  const marker = document.createElementNS(SVG, "marker");
  for (const [name, value] of Object.entries({ id: "arrow", viewBox: "0 0 6 6", refX: "6", refY: "3", markerWidth: "6", markerHeight: "6", orient: "auto" })) {
    marker.setAttribute(name, value);
  }
  const head = document.createElementNS(SVG, "path");
  head.setAttribute("d", "M 0 0 L 6 3 L 0 6 z");
  marker.append(head);
  defs.append(marker);
  svg.replaceChildren(defs, ...paths);
}
