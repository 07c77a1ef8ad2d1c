/**
 * Caret mode: the text is focusable and a visible caret moves with the keys,
 * so spans are made without a mouse. Arrows move by character (a grapheme
 * cluster), Ctrl+arrows by word, Up and Down by line, Home and End to the
 * paragraph's ends; with Shift they extend the selection from where it began.
 * The selection is the browser's own, so a label key tags it exactly as it
 * tags a mouse selection. Positions are code points (lib/caretmoves.js); the
 * DOM's UTF-16 offsets are converted through the page's OffsetIndex.
 */

import { CaretMoves } from "../lib/caretmoves.js";
import { pointToUtf16 } from "./selection.js";

/** The text position under a point: Chromium and Safari, or Firefox. */
function pointAt(x, y) {
  if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    return range && { node: range.startContainer, offset: range.startOffset };
  }
  const position = document.caretPositionFromPoint?.(x, y);
  return position && { node: position.offsetNode, offset: position.offset };
}

const KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);

export class Caret {
  /**
   * @param {{root: HTMLElement, frame: HTMLElement, element: HTMLElement,
   *   view: object, index: object}} parts
   */
  constructor({ root, frame, element, view, index }) {
    Object.assign(this, { root, frame, element, view, index });
    this.moves = new CaretMoves(index);
    this.anchor = 0;
    this.focus = 0;
    this.owned = false; // whether the current selection was made with the keys
  }

  get collapsed() {
    return this.anchor === this.focus;
  }

  /** Handle a keydown on the text; true if it was a caret key. */
  handleKey(event) {
    if (!KEYS.has(event.key) || event.altKey || event.metaKey) return false;
    const target = this.#target(event.key, event.ctrlKey);
    if (target === null) return true;
    this.focus = target;
    if (!event.shiftKey) this.anchor = target;
    this.owned = true;
    this.apply();
    return true;
  }

  /** Take the caret from the browser's selection (after a click or a drag). */
  syncFromSelection() {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0) return;
    if (!this.root.contains(selection.anchorNode) || !this.root.contains(selection.focusNode)) {
      return;
    }
    const { anchorNode, anchorOffset, focusNode, focusOffset } = selection;
    const at = (node, offset) =>
      this.index.fromUtf16(pointToUtf16(this.root, this.view.textStarts, node, offset), "down");
    const [anchor, focus] = [at(anchorNode, anchorOffset), at(focusNode, focusOffset)];
    if (anchor === this.anchor && focus === this.focus) return;
    this.anchor = anchor;
    this.focus = focus;
    this.owned = false;
    this.place();
  }

  /** Drop the selection, keep the caret where the selection ended. */
  collapse() {
    this.anchor = this.focus;
    this.apply();
  }

  /** Put the caret at code point `offset`. */
  moveTo(offset) {
    this.anchor = offset;
    this.focus = offset;
    this.apply();
  }

  /** Show the caret and the selection after the text was redrawn. */
  refresh() {
    if (document.activeElement === this.root) this.apply({ reveal: false });
  }

  /** Set the browser's selection to [anchor, focus] and draw the caret. */
  apply({ reveal = true } = {}) {
    const anchor = this.view.pointAt(this.index.toUtf16(this.anchor));
    const focus = this.view.pointAt(this.index.toUtf16(this.focus));
    if (!anchor.node || !focus.node) return;
    document
      .getSelection()
      ?.setBaseAndExtent(anchor.node, anchor.offset, focus.node, focus.offset);
    this.place();
    if (reveal && !this.element.hidden) this.element.scrollIntoView({ block: "nearest" });
  }

  /** Draw the caret at the focus end. */
  place() {
    const box = this.#box(this.index.toUtf16(this.focus));
    this.element.hidden = !box;
    if (!box) return;
    const origin = this.frame.getBoundingClientRect();
    this.element.style.left = `${box.left - origin.left}px`;
    this.element.style.top = `${box.top - origin.top}px`;
    this.element.style.height = `${box.height}px`;
  }

  #target(key, byWord) {
    const { moves, focus } = this;
    if (key === "ArrowRight") return byWord ? moves.nextWordEnd(focus) : moves.nextCharacter(focus);
    if (key === "ArrowLeft") {
      return byWord ? moves.previousWordStart(focus) : moves.previousCharacter(focus);
    }
    if (key === "Home" || key === "End") return this.#paragraphEdge(key === "End");
    return this.#lineMove(key === "ArrowDown" ? 1 : -1);
  }

  #paragraphEdge(toEnd) {
    const [start, end] = this.view.paragraphAt(this.index.toUtf16(this.focus));
    if (!toEnd) return this.index.fromUtf16(start);
    const text = this.index.text;
    let last = end;
    while (last > start && (text[last - 1] === "\n" || text[last - 1] === "\r")) last -= 1;
    return this.index.fromUtf16(last);
  }

  /** One line up or down: the text under the same x, a line-height away. */
  #lineMove(direction) {
    let box = this.#box(this.index.toUtf16(this.focus));
    if (!box) return null;
    const line = parseFloat(getComputedStyle(this.root).lineHeight) || box.height * 2;
    const y = box.top + box.height / 2 + direction * line;
    if (y < line * 2 || y > window.innerHeight - line) {
      window.scrollBy(0, direction * line * 3);
      box = this.#box(this.index.toUtf16(this.focus));
    }
    const point = pointAt(box.left + 1, box.top + box.height / 2 + direction * line);
    if (!point || !this.root.contains(point.node)) {
      return direction > 0 ? this.moves.length : 0;
    }
    const unit = pointToUtf16(this.root, this.view.textStarts, point.node, point.offset);
    const offset = this.index.fromUtf16(unit, "down");
    return this.index.snapToGraphemes(offset, offset)[0];
  }

  /** The on-screen box of the caret before UTF-16 offset `unit`, or null. */
  #box(unit) {
    const { node, offset } = this.view.pointAt(unit);
    if (!node) return null;
    const range = document.createRange();
    range.setStart(node, offset);
    range.collapse(true);
    let box = range.getClientRects()[0];
    if (!box || box.height === 0) {
      if (offset < node.data.length) {
        range.setEnd(node, offset + 1);
        const next = range.getClientRects()[0];
        box = next && { left: next.left, top: next.top, height: next.height };
      } else if (offset > 0) {
        range.setStart(node, offset - 1);
        const previous = range.getClientRects()[0];
        box = previous && { left: previous.right, top: previous.top, height: previous.height };
      }
    }
    return box && box.height > 0 ? box : null;
  }
}
