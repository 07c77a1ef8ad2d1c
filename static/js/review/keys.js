// The review page's keys as actions, without the DOM. ``keyAction(event,
// context)`` takes a KeyboardEvent-like {key, shiftKey, ctrlKey, metaKey,
// altKey} and {selecting, awaitingLabel, labels: [{name, hotkey}]}, and
// answers {name, …} or null (the key is the browser's).

/** Ctrl+Z (or Cmd+Z) undo, Ctrl+Shift+Z or Ctrl+Y redo; null otherwise. */
export function historyShortcut(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === "z") return event.shiftKey ? "redo" : "undo";
  if (key === "y") return "redo";
  return null;
}

const PLAIN = {
  a: { name: "majority" },
  r: { name: "reject" },
  n: { name: "next" },
  j: { name: "next" },
  k: { name: "previous" },
  ".": { name: "next-group" },
  ",": { name: "previous-group" },
  l: { name: "relabel-start" },
  p: { name: "accept-link" },
  g: { name: "next-gold" },
  x: { name: "remove-gold" },
  Delete: { name: "remove-gold" },
  u: { name: "undo" },
  U: { name: "redo" },
  A: { name: "adjudicate" },
  "?": { name: "help" },
  Escape: { name: "escape" },
};

function labelFor(key, labels) {
  return labels.find((label) => label.hotkey === key.toLowerCase()) ?? null;
}

function boundary(event) {
  if (!event.shiftKey || event.altKey) return null;
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (!step) return null;
  return { name: "boundary", edge: event.ctrlKey || event.metaKey ? "start" : "end", step };
}

export function keyAction(event, context) {
  const history = historyShortcut(event);
  if (history) return { name: history };
  const moved = boundary(event);
  if (moved) return context.selecting ? null : moved; // Shift+arrows then extend the selection
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") return { name: "adjudicate" };
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (context.awaitingLabel) {
    const label = labelFor(event.key, context.labels);
    if (label) return { name: "relabel", label: label.name };
    return event.key === "Shift" ? null : { name: "relabel-cancel" };
  }
  if (context.selecting) {
    const label = labelFor(event.key, context.labels);
    if (label) return { name: "label-selection", label: label.name };
    if (event.key === "Enter") return { name: "label-selection", label: null };
  }
  if (/^[1-9]$/.test(event.key)) return { name: "take", number: Number(event.key) };
  return PLAIN[event.key] ?? null;
}

/** The keys as the help dialog lists them: [keys, what they do]. */
export const KEY_HELP = [
  ["n or j / k", "next / previous undecided group"],
  [". / ,", "next / previous group, decided or not"],
  ["1–9", "take annotator A, B, C…'s version into gold (nothing marked: reject)"],
  ["a", "take the majority's version"],
  ["r", "reject the group"],
  ["l, then a label's key", "relabel the focused gold span"],
  ["g", "next gold span in the group"],
  ["Shift+← / Shift+→", "move the focused gold span's end by a word"],
  ["Shift+Ctrl+← / Shift+Ctrl+→", "move its start by a word"],
  ["select words, then a label's key", "make them a gold span (Alt while selecting: exact characters)"],
  ["select words, then Enter", "the same, keeping the group's label"],
  ["p", "accept the focused pending link"],
  ["x or Delete", "remove the focused gold span"],
  ["u or Ctrl+Z", "undo the latest decision"],
  ["Shift+U, Ctrl+Y or Ctrl+Shift+Z", "redo"],
  ["Shift+A or Ctrl+Enter", "adjudicate (asks when groups are undecided)"],
  ["?", "this list"],
];
