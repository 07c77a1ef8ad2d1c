/**
 * From the browser's text selection to a span's code-point offsets.
 *
 * The DOM counts UTF-16 units; this module finds the UTF-16 offsets of the
 * selection inside the document element and hands them to offsets.js, the one
 * place that turns them into code points and snaps or trims them.
 */

/** UTF-16 offset in the text of a DOM point (node, offset). */
export function pointToUtf16(root, textStarts, node, offset) {
  const start = textStarts.get(node);
  if (start !== undefined) return start + offset;
  if (root.contains(node)) {
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEnd(node, offset);
    return before.toString().length;
  }
  const position = root.compareDocumentPosition(node);
  return position & Node.DOCUMENT_POSITION_PRECEDING ? 0 : root.textContent.length;
}

/** The selection's UTF-16 [start, end) inside `root`, or null. */
export function selectedUtf16(root, textStarts) {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  const start = pointToUtf16(root, textStarts, range.startContainer, range.startOffset);
  const end = pointToUtf16(root, textStarts, range.endContainer, range.endOffset);
  return start < end ? [start, end] : null;
}

/**
 * The selection in `root` as code points: null if nothing is selected there,
 * else {range}, where range is [start, end] snapped to whole words (or, when
 * `exact`, as selected) without whitespace at either end, or null if only
 * whitespace was selected. Either way the edges are then widened to grapheme
 * cluster boundaries: the server refuses a span that splits a character (an
 * emoji sequence, a letter and its accent, CRLF), and an exact selection can
 * end anywhere, even between the code points of one character.
 */
export function selectedSpan(root, textStarts, index, exact) {
  const units = selectedUtf16(root, textStarts);
  if (!units) return null;
  const start = index.fromUtf16(units[0], "down");
  const end = index.fromUtf16(units[1], "up");
  const range = exact
    ? index.trimWhitespace(start, end)
    : index.snapToWords(start, end);
  return { range: range && index.snapToGraphemes(range[0], range[1]) };
}

export function clearSelection() {
  document.getSelection()?.removeAllRanges();
}
