// The reader's selection in the text lines as code points. The DOM counts
// UTF-16 units: each text segment carries its code point start, the index
// (static/js/lib/offsets.js) converts at this edge, and snaps to whole words
// (or, with Alt, trims the exact characters) and to grapheme clusters, as
// the annotation page does. Lanes are not selectable.

function lineOf(node) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  return element?.closest(".line.text") ?? null;
}

/** UTF-16 offset in the document of a selection point, or null outside the text. */
function pointUnits(container, index, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement.closest(".seg");
    return seg ? index.toUtf16(Number(seg.dataset.start)) + offset : null;
  }
  if (node.classList?.contains("seg")) {
    const start = index.toUtf16(Number(node.dataset.start));
    return offset === 0 ? start : start + node.textContent.length;
  }
  const line = lineOf(node);
  if (line && node === line) {
    const child = line.childNodes[offset];
    return index.toUtf16(Number(child ? child.dataset.start : line.dataset.end));
  }
  const row = node.closest?.(".row");
  if (row) {
    return index.toUtf16(Number(offset === 0 ? row.dataset.start : row.dataset.end));
  }
  if (node === container) {
    const child = container.children[offset];
    return index.toUtf16(child ? Number(child.dataset.start) : index.length);
  }
  return null;
}

/**
 * The selection inside ``container``'s text lines: null when nothing is
 * selected there, else {range}: [start, end] in code points (null when only
 * whitespace was selected).
 */
export function selectedRange(container, index, exact) {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.commonAncestorContainer)) return null;
  const a = pointUnits(container, index, range.startContainer, range.startOffset);
  const b = pointUnits(container, index, range.endContainer, range.endOffset);
  if (a === null || b === null || a >= b) return null;
  const start = index.fromUtf16(a, "down");
  const end = index.fromUtf16(b, "up");
  const snapped = exact ? index.trimWhitespace(start, end) : index.snapToWords(start, end);
  return { range: snapped && index.snapToGraphemes(snapped[0], snapped[1]) };
}

export function clearSelection() {
  document.getSelection()?.removeAllRanges();
}
