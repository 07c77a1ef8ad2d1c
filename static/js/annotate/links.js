/**
 * Links drawn over the text: an arc with an arrowhead from the source span to
 * the target span, its kind written at the top. The drawing is an SVG layer
 * over the text that lets every click through; geometry is in
 * lib/linkgeometry.js. Built with createElementNS and textContent only.
 */

import { linkArc } from "../lib/linkgeometry.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}) {
  const made = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  return made;
}

function arrowHead() {
  const marker = svg("marker", {
    id: "link-arrow",
    viewBox: "0 0 10 10",
    refX: "9",
    refY: "5",
    markerWidth: "7",
    markerHeight: "7",
    orient: "auto-start-reverse",
  });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }));
  const defs = svg("defs");
  defs.append(marker);
  return defs;
}

export class LinkLayer {
  /** @param {HTMLElement} frame The positioned box around the text. */
  constructor(frame) {
    this.frame = frame;
    this.layer = svg("svg", { class: "link-layer", "aria-hidden": "true" });
    this.group = svg("g");
    this.layer.append(arrowHead(), this.group);
    frame.append(this.layer);
  }

  /**
   * Draw `links`: [{from, to, kind, key, faint}] where from and to are the
   * first elements of the two spans. Links with an end not laid out (off
   * screen, hidden) are left out.
   */
  draw(links) {
    // Nothing to measure: no layout forced in the middle of a redraw (it was
    // most of the annotation page's first draw, with no span selected).
    if (links.length === 0) {
      this.group.replaceChildren();
      return;
    }
    const origin = this.frame.getBoundingClientRect();
    const paths = [];
    for (const link of links) {
      const from = this.#box(link.from, origin);
      const to = this.#box(link.to, origin);
      if (!from || !to) continue;
      paths.push(this.#arc(link, from, to));
    }
    this.group.replaceChildren(...paths);
  }

  #box(element, origin) {
    const box = element?.getClientRects()[0];
    if (!box || (box.width === 0 && box.height === 0)) return null;
    return {
      left: box.left - origin.left,
      top: box.top - origin.top,
      width: box.width,
      height: box.height,
    };
  }

  #arc(link, from, to) {
    const arc = linkArc(from, to, { top: 2 });
    const group = svg("g", { "data-link": link.key });
    const path = svg("path", {
      d: arc.d,
      class: link.faint ? "link faint" : "link",
      "marker-end": "url(#link-arrow)",
    });
    const label = svg("text", { x: arc.label.x, y: arc.label.y - 3, "text-anchor": "middle" });
    label.textContent = link.kind;
    group.append(path, label);
    return group;
  }
}
