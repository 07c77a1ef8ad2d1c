/**
 * The annotation page: wires the text, the side panel, the keyboard and the
 * save queue together. Data comes from the JSON payload in the page; the text
 * is set with textContent only.
 */

import { afterFrame } from "../lib/afterframe.js";
import { claimEditing } from "../lib/editlock.js";
import { History } from "../lib/history.js";
import { tagText } from "../lib/labeltags.js";
import { OffsetIndex } from "../lib/offsets.js";
import { Caret } from "./caret.js";
import { createFinishing } from "./finish.js";
import { keyHandler } from "./keys.js";
import { LinkLayer } from "./links.js";
import * as panel from "./panel.js";
import { createSession } from "./session.js";
import { wireBar } from "./bar.js";
import { DocumentView } from "./render.js";
import { clearSelection, selectedSpan } from "./selection.js";
import { AnnotationState } from "./state.js";
import { Suggestions } from "./suggestions.js";
import { Toast } from "./toast.js";


const byId = (id) => document.getElementById(id);
const payload = JSON.parse(byId("annotate-payload").textContent);
const text = payload.document.text;
const index = new OffsetIndex(text);
const labels = new Map(payload.labels.map((label, i) => [label.name, { ...label, i }]));
const sources = new Set(payload.sources);

const ui = {
  root: byId("document-text"),
  labelBar: byId("label-bar"),
  list: byId("span-list"),
  count: byId("span-count"),
  details: byId("span-details"),
  summary: byId("details-summary"),
  source: byId("span-source"),
  sourceList: byId("source-suggestions"),
  note: byId("span-note"),
  links: byId("details-links"),
  linkButton: byId("link-button"),
  deleteButton: byId("delete-button"),
  status: byId("save-status"),
  message: byId("annotate-message"),
  hint: byId("annotate-hint"),
  assignment: byId("assignment-status"),
  submit: byId("submit-button"),
  reopen: byId("reopen-button"),
  skipOpen: byId("skip-open"),
  skipDialog: byId("skip-dialog"),
  skipForm: byId("skip-form"),
  skipReason: byId("skip-reason"),
  skipProblem: byId("skip-problem"),
  skipCancel: byId("skip-cancel"),
  nextForm: byId("next-form"),
  skipButton: byId("skip-button"),
  lockBanner: byId("edit-lock-banner"),
  bar: byId("annotate-bar"),
  frame: byId("text-frame"),
  caret: byId("caret"),
  keysDialog: byId("keys-dialog"),
  keysButton: byId("keys-button"),
  showTags: byId("show-tags"),
  showLinks: byId("show-links"),
  panel: byId("annotate-panel"),
  panelToggle: byId("panel-toggle"),
  panelCount: byId("panel-count"),
  suggestionList: byId("suggestion-list"),
  suggestionCount: byId("suggestion-count"),
  suggestionLabels: byId("suggestion-labels"),
  suggestionEmpty: byId("suggestion-empty"),
  suggestionHeading: byId("suggestions-heading"),
};

const page = {
  drawn: new Map(),
  listDeferred: false,
  selected: null,
  linkSource: null,
  altAtSelection: false,
  refreshWhenSaved: false,
  setbacks: 0,
  waiters: [],
};

function classOf(name) {
  const label = labels.get(name);
  return label ? `lbl-${label.i % 12} u-${label.underline}` : "lbl-unknown";
}

function displayName(name) {
  return labels.get(name)?.display_name ?? name;
}

function titleOf(span) {
  const parts = [displayName(span.label)];
  if (span.attributes.source) parts.push(`source: ${span.attributes.source}`);
  if (span.note) parts.push(`note: ${span.note}`);
  return parts.join(" · ");
}

function units(span) {
  return { ...span, start16: index.toUtf16(span.start), end16: index.toUtf16(span.end) };
}

function describe(span) {
  return {
    className: classOf(span.label),
    label: displayName(span.label),
    text: panel.excerpt(text, span.start16, span.end16),
  };
}

/** A refusal ("warn", the default) or news ("info") under the sticky bar. */
function showMessage(message, tone = "warn") {
  toast.show(message, tone);
}

// ---- drawing ----------------------------------------------------------------

function focusedListKey() {
  return document.activeElement?.closest?.("#span-list button")?.dataset.key ?? null;
}

const FULL_REDRAW = 200;

function look(span) {
  if (suggestions.isKey(span.key)) return suggestions.look(span);
  const selected = span.key === page.selected ? " selected" : "";
  return {
    className: `${classOf(span.label)}${selected}`,
    title: titleOf(span),
    tag: tagText(displayName(span.label)),
  };
}

/** What changed since the last draw: stale keys and the UTF-16 ranges touched. */
function changesSince(spans) {
  const stale = new Set(page.drawn.keys());
  const ranges = [];
  const drawn = new Map();
  for (const span of spans) {
    const title = suggestions.isKey(span.key) ? "" : titleOf(span);
    const signature = `${span.start16}:${span.end16}:${span.label}:${title}`;
    const before = page.drawn.get(span.key);
    drawn.set(span.key, { signature, start16: span.start16, end16: span.end16 });
    if (before?.signature === signature) {
      stale.delete(span.key);
      continue;
    }
    ranges.push([span.start16, span.end16]);
  }
  for (const key of stale) {
    const before = page.drawn.get(key);
    if (before) ranges.push([before.start16, before.end16]);
  }
  page.drawn = drawn;
  return { stale, ranges };
}

/** Redraw what changed in the text and the side list, then the selection. */
function draw() {
  suggestions.dropDrawn();
  const spans = state.ordered().map(units);
  const focused = focusedListKey();
  const drawn = [...spans, ...suggestions.shown()];
  const { stale, ranges } = changesSince(drawn);
  if (ranges.length > FULL_REDRAW) view.renderAll(drawn);
  else view.renderRanges(ranges, drawn);
  if (!page.listDeferred) spanList.update(spans, stale);
  ui.count.textContent = String(spans.length);
  ui.panelCount.textContent = String(spans.length);
  ui.assignment.textContent = state.status.replace("_", " ");
  const closed = CLOSED.has(state.status);
  ui.reopen.hidden = !closed;
  ui.submit.hidden = closed;
  ui.skipOpen.hidden = closed;
  if (focused && focusedListKey() !== focused) {
    listButton(focused)?.focus({ preventScroll: true });
  }
  showSelected();
  suggestions.showFocused();
  caret.refresh();
}

function listButton(key) {
  return spanList.button(key);
}

function marksOf(key) {
  return ui.root.querySelectorAll(`.mark[data-key="${key}"]`);
}

function showSelected() {
  for (const old of ui.root.querySelectorAll(".mark.selected, .mark.linked")) {
    old.classList.remove("selected", "linked");
  }
  for (const old of ui.list.querySelectorAll("[aria-current]")) {
    old.removeAttribute("aria-current");
  }
  const span = state.spans.get(page.selected);
  ui.details.hidden = !span;
  ui.root.classList.toggle("linking", page.linkSource !== null);
  panel.markPressedLabel(ui.labelBar, span?.label ?? null);
  drawLinks();
  if (!span) return;
  for (const mark of marksOf(span.key)) mark.classList.add("selected");
  for (const link of state.linksOf(span.key)) {
    const other = link.source === span.key ? link.target : link.source;
    for (const mark of marksOf(other)) mark.classList.add("linked");
  }
  listButton(span.key)?.setAttribute("aria-current", "true");
  showDetails(span);
}

function showDetails(span) {
  const shown = units(span);
  ui.summary.textContent =
    `${displayName(span.label)}: “${panel.excerpt(text, shown.start16, shown.end16)}” ` +
    `(characters ${span.start}–${span.end})`;
  if (document.activeElement !== ui.source) ui.source.value = span.attributes.source ?? "";
  if (document.activeElement !== ui.note) ui.note.value = span.note ?? "";
  panel.renderLinks(ui.links, state.linksOf(span.key), describeLink, (key) => {
    if (!refuseEdit()) session.editor.unlink(key);
  });
  for (const button of ui.links.querySelectorAll("button")) button.disabled = !session.editor;
  ui.linkButton.setAttribute("aria-pressed", String(page.linkSource === span.key));
}

/** "Denial “They never…” denies → Claim “Rebels shelled…”" */
function describeLink(link) {
  const quote = (key) => {
    const span = units(state.spans.get(key));
    return `${displayName(span.label)} “${panel.excerpt(text, span.start16, span.end16, 28)}”`;
  };
  return `${quote(link.source)} ${link.kind} → ${quote(link.target)}`;
}

// ---- links drawn in the text --------------------------------------------------

/** Arcs for the selected span's links, or for every link with "All links". */
function drawLinks() {
  const all = ui.showLinks.checked;
  const chosen = all ? [...state.links.values()] : state.linksOf(page.selected);
  links.draw(
    chosen.map((link) => ({
      key: link.key,
      kind: link.kind,
      from: marksOf(link.source)[0],
      to: marksOf(link.target)[0],
      faint: all && link.source !== page.selected && link.target !== page.selected,
    })),
  );
}

let linksFrame = 0;
function redrawLinksSoon() {
  cancelAnimationFrame(linksFrame);
  linksFrame = requestAnimationFrame(() => {
    drawLinks();
    if (document.activeElement === ui.root) caret.place();
  });
}

// ---- choosing spans ---------------------------------------------------------

function select(key, { reveal = false } = {}) {
  page.selected = state.spans.has(key) ? key : null;
  showSelected();
  if (reveal && page.selected) {
    marksOf(key)[0]?.scrollIntoView({ block: "nearest" });
  }
}

function keysAt(target) {
  const keys = [];
  for (let node = target; node && node !== ui.root; node = node.parentElement) {
    if (node.classList?.contains("mark")) keys.push(node.dataset.key);
  }
  return keys;
}

function nextCovering(keys) {
  const at = keys.indexOf(page.selected);
  return at === -1 ? keys[0] : keys[(at + 1) % keys.length];
}

function choose(key) {
  if (page.linkSource !== null) {
    finishLink(key);
    return;
  }
  select(key);
}

function onTextClick(event) {
  if (document.getSelection()?.isCollapsed === false) return;
  const all = keysAt(event.target);
  const keys = all.filter((key) => !suggestions.isKey(key));
  const suggested = all.find((key) => suggestions.isKey(key));
  if (keys.length === 0 && suggested && page.linkSource === null) {
    suggestions.focus(suggested);
    return;
  }
  if (keys.length === 0) {
    if (page.linkSource === null) select(null);
    return;
  }
  choose(nextCovering(keys));
}

function startLink() {
  if (!page.selected || refuseEdit()) return;
  page.linkSource = page.selected;
  ui.hint.textContent =
    "Link mode: click the span this one points at, or pick it in the list (Esc cancels).";
  ui.hint.hidden = false;
  showSelected();
}

function endLinkMode() {
  page.linkSource = null;
  ui.hint.hidden = true;
  ui.hint.textContent = "";
}

function finishLink(target) {
  const source = page.linkSource;
  endLinkMode();
  showMessage(session.editor.link(source, target) ?? "");
  select(source);
}

// ---- editing ----------------------------------------------------------------

const CLOSED = new Set(["submitted", "skipped"]);

/** Submitted and skipped documents are frozen (the server refuses changes):
 * say so instead of making a change that cannot be saved. */
function refuseIfClosed() {
  if (!CLOSED.has(state.status)) return false;
  showMessage(`This document is ${state.status}: press "Reopen" to change its spans.`);
  return true;
}

/** No editor while another tab edits this document: the banner says so. */
function refuseEdit() {
  return session.editor === null || refuseIfClosed();
}

function reopen() {
  if (session.editor === null) return;
  session.editor.setStatus("in_progress", "");
  draw();
  showMessage("Reopened: you can change your spans again, then submit.", "info");
}

function pickLabel(name, altKey) {
  if (refuseEdit()) return;
  const exact = altKey || page.altAtSelection || caret.owned;
  const selection = selectedSpan(ui.root, view.textStarts, index, exact);
  if (selection && !selection.range) {
    showMessage("Nothing to tag: the selection holds only spaces.");
  } else if (selection) {
    const [start, end] = selection.range;
    toast.clear();
    const key = session.editor.createSpan(start, end, name);
    page.altAtSelection = false;
    if (document.activeElement === ui.root) caret.moveTo(end);
    else clearSelection();
    select(key);
  } else if (page.selected) {
    showMessage(session.editor.updateSpan(page.selected, { label: name }) ?? "");
  } else {
    showMessage("Select some text first, then choose its label.");
  }
}

function deleteSelected() {
  const key = page.selected;
  if (!key || refuseEdit()) return;
  const position = state.ordered().findIndex((span) => span.key === key);
  session.editor.deleteSpan(key);
  const after = state.ordered()[Math.min(position, state.spans.size - 1)];
  select(after?.key ?? null);
  if (after) listButton(after.key)?.focus();
}

function saveSource() {
  const key = page.selected;
  if (!key || refuseEdit()) return;
  const value = ui.source.value.trim();
  const attributes = { ...state.spans.get(key).attributes };
  if ((attributes.source ?? "") === value) return;
  if (value) attributes.source = value;
  else delete attributes.source;
  session.editor.updateSpan(key, { attributes });
  if (value && !sources.has(value)) {
    sources.add(value);
    panel.renderSources(ui.sourceList, [...sources].sort());
  }
}

function saveNote() {
  const key = page.selected;
  if (!key || state.spans.get(key).note === ui.note.value || refuseEdit()) return;
  session.editor.updateSpan(key, { note: ui.note.value });
}

/** Undo or redo; the live region says what (e.g. "Undone: accept Hedge “could”."). */
function undo() {
  const label = history.undoLabel;
  if (!refuseEdit() && history.undo()) afterHistory(`Undone: ${label}.`);
}

function redo() {
  const label = history.redoLabel;
  if (!refuseEdit() && history.redo()) afterHistory(`Redone: ${label}.`);
}

function afterHistory(message) {
  if (!state.spans.has(page.selected)) page.selected = null;
  draw();
  showMessage(message, "info");
  // A field with focus keeps what it shows while typing; after an undo it
  // shows the span's value again.
  const span = state.spans.get(page.selected);
  if (span) {
    ui.source.value = span.attributes.source ?? "";
    ui.note.value = span.note ?? "";
  }
}

// ---- keyboard ---------------------------------------------------------------

function labelForKey(key) {
  for (const label of labels.values()) if (label.hotkey === key.toLowerCase()) return label;
  return null;
}

function onEscape() {
  if (page.linkSource !== null) {
    endLinkMode();
    showSelected();
  } else if (document.activeElement === ui.root && !caret.collapsed) {
    caret.collapse();
  } else {
    select(null);
  }
}

/** Plain keys: label hotkeys, ?, Escape, Delete, L. True if the key was used. */
function plainKey(key) {
  if (suggestions.handleKey(key)) return true;
  const label = labelForKey(key);
  if (label) {
    pickLabel(label.name, false);
  } else if (key === "?") {
    openKeys();
  } else if (key === "Escape") {
    onEscape();
  } else if (page.selected && (key === "Delete" || key === "Backspace")) {
    deleteSelected();
  } else if (page.selected && key.toLowerCase() === "l") {
    startLink();
  } else {
    return false;
  }
  return true;
}

/** Enter in the text: select the span under the caret (again: the next one). */
function caretEnter() {
  if (!caret.collapsed) return false;
  const at = caret.focus;
  const keys = state
    .ordered()
    .filter((span) => span.start <= at && at < span.end)
    .map((span) => span.key);
  if (keys.length === 0) {
    showMessage("No span at the caret: move onto one, or select text and press a label's key.");
    return true;
  }
  choose(nextCovering(keys));
  return true;
}

/** Source and Note: true unless they hold typing not saved to the span yet. */
function fieldIsClean(target) {
  const span = state.spans.get(page.selected);
  if (!span) return target === ui.source || target === ui.note;
  if (target === ui.source) return ui.source.value.trim() === (span.attributes.source ?? "");
  if (target === ui.note) return ui.note.value === span.note;
  return false;
}

function openKeys() {
  if (!ui.keysDialog.open) ui.keysDialog.showModal();
}

function dialogOpen() {
  return ui.keysDialog.open || ui.skipDialog.open;
}

// ---- start ------------------------------------------------------------------

const state = new AnnotationState(payload.annotation);
const history = new History();

const view = new DocumentView(ui.root, text, look);
const spanList = new panel.SpanList(ui.list, describe);
const toast = new Toast(ui.message);
const links = new LinkLayer(ui.frame);
const caret = new Caret({ root: ui.root, frame: ui.frame, element: ui.caret, view, index });
const session = createSession({
  payload,
  ui,
  state,
  history,
  page,
  draw,
  showMessage,
  clearSelection: () => {
    page.selected = null;
    endLinkMode();
  },
  firstDraw,
  afterReload: () => suggestions.load(),
});
const finishing = createFinishing({
  ui,
  session,
  page,
  draw: () => draw(),
  refuseEdit: () => refuseEdit(),
  refuseIfClosed: () => refuseIfClosed(),
  saveFields: () => {
    saveSource();
    saveNote();
  },
});
const suggestions = new Suggestions({
  api: payload.api,
  text,
  index,
  ui,
  state,
  session,
  displayName,
  classOf,
  excerpt: panel.excerpt,
  refuseEdit,
  showMessage,
  draw: () => draw(),
});

function wire() {
  panel.renderLabelBar(ui.labelBar, payload.labels, classOf, pickLabel);
  panel.renderSources(ui.sourceList, [...sources].sort());
  ui.root.addEventListener("mouseup", (event) => {
    page.altAtSelection = event.altKey;
    caret.syncFromSelection();
  });
  // Focus from the keyboard shows the caret; a mouse press makes its own
  // selection, which must not be replaced while the button is down.
  ui.root.addEventListener("focus", () => {
    if (ui.root.matches(":focus-visible")) caret.apply({ reveal: false });
  });
  ui.root.addEventListener("click", onTextClick);
  ui.list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-key]");
    if (button) choose(button.dataset.key);
  });
  ui.list.addEventListener("focusin", (event) => {
    const key = event.target.dataset?.key;
    if (key && page.linkSource === null && key !== page.selected) select(key, { reveal: true });
  });
  document.addEventListener(
    "keydown",
    keyHandler({
      caret,
      textRoot: ui.root,
      dialogOpen,
      fieldIsClean,
      undo,
      redo,
      submit: () => finishing.finish("submitted", ""),
      plainKey,
      caretEnter,
    }),
  );
  wireBar(ui, {
    storage: session.openStorage(),
    openKeys,
    drawLinks,
    redrawLinks: redrawLinksSoon,
  });
  ui.source.addEventListener("change", saveSource);
  ui.note.addEventListener("change", saveNote);
  ui.linkButton.addEventListener("click", startLink);
  ui.deleteButton.addEventListener("click", deleteSelected);
  ui.reopen.addEventListener("click", reopen);
  finishing.wire();
  window.addEventListener("online", () => session.queue?.online());
}

function firstDraw() {
  // The text first; the side list (thousands of buttons) and the suggestions
  // once that frame is on the screen: in a task queued at once they often
  // ran before the frame and held the painted text back (2,000 spans:
  // ~100 ms of list building and style; bench.annotate_suggestions_bench).
  page.listDeferred = true;
  draw();
  performance.mark("annotate-interactive"); // read by bench/annotate_load_bench.py
  afterFrame(async () => {
    page.listDeferred = false;
    draw();
    await suggestions.load();
    performance.mark("annotate-suggestions"); // read by bench/annotate_suggestions_bench.py
    ui.root.dataset.ready = "true";
  });
}

function start() {
  // Custom properties set through the CSSOM, which the CSP allows.
  for (const label of labels.values()) {
    document.documentElement.style.setProperty(`--lbl-${label.i % 12}`, label.color);
  }
  wire();
  // Named like the stored queue: one editing tab per project, document, user.
  claimEditing({ locks: navigator.locks, name: ui.root.dataset.queueKey, onRole: session.onRole });
}

start();
