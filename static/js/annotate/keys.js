/**
 * The annotation page's keys, in one place; templates/annotate/_keys.html
 * lists them for the annotator (the `?` dialog).
 *
 * - in the text (caret mode): arrows, Home, End (with Shift and Ctrl), Enter
 *   picks the span under the caret;
 * - anywhere outside fields: a label's key, Escape, Delete/Backspace, L, ?;
 * - on a focused suggestion (annotate/suggestions.js, asked first): Enter or
 *   Y accepts, N, Delete or Backspace rejects, A accepts all of its label;
 * - everywhere: Ctrl+Enter submits; Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y undo and
 *   redo spans, also in the Source and Note fields unless they hold typing
 *   not saved yet (then the field's own undo acts on the typing).
 */

// Fields that take typing; a checkbox or a button leaves the page's keys on.
const TYPING =
  "textarea, select, [contenteditable], " +
  "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit])";

function isEditable(target) {
  return target.closest?.(TYPING) != null;
}

function historyKey(event) {
  const key = event.key.toLowerCase();
  if (key === "z") return event.shiftKey ? "redo" : "undo";
  if (key === "y") return "redo";
  return null;
}

/**
 * A keydown handler for the document. `actions`: {caret, textRoot,
 * dialogOpen(), fieldIsClean(target), undo(), redo(), submit(), plainKey(key)
 * → boolean, caretEnter() → boolean}.
 */
export function keyHandler(actions) {
  return (event) => {
    if (actions.dialogOpen()) return;
    const withCtrl = event.ctrlKey || event.metaKey;
    if (withCtrl && event.key === "Enter") {
      event.preventDefault();
      actions.submit();
      return;
    }
    const editable = isEditable(event.target);
    if (withCtrl && !event.altKey) {
      const step = historyKey(event);
      if (!step || (editable && !actions.fieldIsClean(event.target))) {
        if (!editable && event.target === actions.textRoot && actions.caret.handleKey(event)) {
          event.preventDefault();
        }
        return;
      }
      event.preventDefault();
      actions[step]();
      return;
    }
    if (editable || event.altKey) return;
    if (event.target === actions.textRoot && onText(event, actions)) {
      event.preventDefault();
      return;
    }
    if (actions.plainKey(event.key)) event.preventDefault();
  };
}

function onText(event, actions) {
  if (actions.caret.handleKey(event)) return true;
  return event.key === "Enter" && actions.caretEnter();
}
