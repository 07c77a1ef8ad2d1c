// The review page: the text once with a lane per annotator and one for gold
// under each row, a sticky decision panel for the focused group, links drawn
// and listed, the decision history, and a keyboard for all of it. Offsets
// are code points; text is only ever set with textContent.

import { OffsetIndex } from "../lib/offsets.js";
import { refusal, reviewApi } from "./api.js";
import { bindDialogs } from "./dialogs.js";
import * as choose from "./groups.js";
import { renderHistory } from "./history.js";
import { keyAction } from "./keys.js";
import { LaneView } from "./lanes.js";
import { overlapping, reach } from "./layout.js";
import { drawArcs, linkItems, renderLinkList } from "./links.js";
import { labelLook, renderLegend } from "./look.js";
import { renderPanel } from "./panel.js";
import { clearSelection, selectedRange } from "./selection.js";
import { codePoints, moveBoundary } from "./words.js";

const $ = (id) => document.getElementById(id);
const payload = JSON.parse($("review-data").textContent);
let state = payload.state;
const api = reviewApi(payload.api, state.names_shown);
const chars = codePoints(state.document.text);
const index = new OffsetIndex(state.document.text);
const look = labelLook(state.labels);
const view = new LaneView($("lanes"), chars);
const ui = { focus: -1, goldCursor: 0, awaitingLabel: false, alt: false, busy: false, lit: [] };
let spansById = new Map();
let links = [];

// ---------------------------------------------------------------- messages

/** A message beside the focused group (the sticky panel keeps it in view). */
function say(text) {
  const node = $("group-message");
  node.textContent = text;
  node.classList.toggle("error", false);
  if (text && node.getBoundingClientRect().top < $("group-panel").getBoundingClientRect().top) {
    $("group-panel").scrollTop = 0; // the panel scrolled past its message
  }
}

let toastTimer = 0;
/** A message in the toast at the foot of the viewport. */
function toast(text, error = false) {
  const node = $("toast");
  node.textContent = text;
  node.classList.toggle("error", error);
  clearTimeout(toastTimer);
  if (text) toastTimer = setTimeout(() => { node.textContent = ""; }, error ? 12000 : 6000);
}

// ---------------------------------------------------------------- drawing

function spanGroups() {
  const found = new Map();
  for (const group of state.groups) {
    for (const id of choose.groupSpanIds(group)) found.set(id, group.index);
  }
  return found;
}

function drawLanes() {
  const groupOf = spanGroups();
  const reached = reach(state.groups);
  const lanes = state.annotators.map((a) => ({
    key: a.key,
    name: a.key,
    kind: "annotator",
    items: state.spans.filter((s) => s.annotator === a.key),
  }));
  lanes.push({ key: "gold", name: "gold", kind: "gold", items: state.gold });
  view.render(state.groups, lanes, (item, node, first) => {
    node.className = `mk ${look.classes(item.label)}`;
    node.title = look.name(item.label);
    if (first) node.dataset.key = look.key(item.label); // the label's key, not colour alone
    if (item.annotator === undefined) {
      node.dataset.gold = String(item.id);
      const hit = overlapping(state.groups, reached, item.start, item.end);
      if (hit.length) node.dataset.groups = hit.map((g) => g.index).join(" ");
      return;
    }
    node.dataset.span = String(item.id);
    if (groupOf.has(item.id)) node.dataset.groups = String(groupOf.get(item.id));
    if (item.rejected) node.classList.add("rejected");
    if (item.in_gold) node.classList.add("in-gold");
  }, signature);
}

/** What a mark shows: a row whose marks keep their signatures is not redrawn. */
function signature(item) {
  const who = item.annotator ?? "gold";
  return `${who}${item.id}:${item.start}-${item.end}${item.label}${item.rejected ? "r" : ""}${item.in_gold ? "g" : ""},`;
}

function currentGroup() {
  return state.groups[ui.focus] ?? null;
}

function groupGold() {
  const group = currentGroup();
  return group ? choose.goldInGroup(state.gold, group, spansById) : [];
}

function focusedGold() {
  const gold = groupGold();
  return gold.length ? gold[ui.goldCursor % gold.length] : null;
}

function highlight() {
  for (const node of ui.lit) node.classList.remove("focus", "gold-focus");
  const container = $("lanes");
  ui.lit = [...container.querySelectorAll(`[data-groups~="${ui.focus}"]`)];
  for (const node of ui.lit) node.classList.add("focus");
  const gold = focusedGold();
  if (gold) {
    const marks = [...container.querySelectorAll(`[data-gold="${gold.id}"]`)];
    for (const node of marks) node.classList.add("gold-focus");
    ui.lit.push(...marks);
  }
}

function scrollToFocus() {
  const seg = $("lanes").querySelector(`.seg[data-groups~="${ui.focus}"]`);
  const row = seg?.closest(".row");
  if (!row) return;
  const rect = row.getBoundingClientRect();
  if (rect.top < 60 || rect.bottom > window.innerHeight - 60) row.scrollIntoView({ block: "center" });
}

function renderFocus() {
  const group = currentGroup();
  renderPanel($("group-body"), group, {
    total: state.groups.length,
    versions: group ? choose.versions(group, state.annotators, spansById) : [],
    gold: groupGold(),
    focusedGold: focusedGold(),
    look,
    chars,
    actions: {
      take: (n) => act({ name: "take", number: n }),
      majority: () => act({ name: "majority" }),
      reject: () => act({ name: "reject" }),
      relabel: (gold) => { ui.goldCursor = groupGold().indexOf(gold); act({ name: "relabel-start" }); },
      remove: (gold) => { ui.goldCursor = groupGold().indexOf(gold); act({ name: "remove-gold" }); },
      linkControl,
    },
  });
  highlight();
  renderLinks();
}

function renderLinks() {
  links = linkItems(state, spansById);
  const pending = choose.focusedPending(state.annotator_links_not_in_gold, currentGroup());
  const key = pending ? `pending-${pending.id}` : null;
  renderLinkList($("link-list"), links, chars, key, (item) => decideAndSay("unlink", { link_id: item.id }, "Link removed."));
  const near = new Set(currentGroup() ? choose.groupSpanIds(currentGroup()) : []);
  const shown = (item) => near.has(item.link.source_span_id) || near.has(item.link.target_span_id);
  drawArcs($("link-arcs"), $("lanes-wrap"), links, key, shown);
}

function linkTargets(gold) {
  const targets = [];
  for (const [kind, pairs] of Object.entries(payload.link_rules)) {
    for (const [source, target] of pairs) {
      if (source !== gold.label) continue;
      for (const other of state.gold) {
        if (other.label === target && other.id !== gold.id) targets.push({ kind, other });
      }
    }
  }
  return targets;
}

function linkControl(gold) {
  const targets = linkTargets(gold);
  if (!targets.length) return null;
  const box = document.createElement("span");
  box.className = "link-control";
  const menu = document.createElement("select");
  menu.setAttribute("aria-label", `Link ${gold.label} \u201c${chars.slice(gold.start, gold.end).join("")}\u201d to`);
  targets.forEach((t, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = `${t.kind} ${t.other.label} \u201c${chars.slice(t.other.start, t.other.end).join("")}\u201d`;
    menu.append(option);
  });
  const add = document.createElement("button");
  add.type = "button";
  add.textContent = "Link";
  add.addEventListener("click", () => {
    const t = targets[Number(menu.value)];
    decideAndSay("link", { source: gold.id, target: t.other.id, kind: t.kind }, "Link added.");
  });
  box.append(" ", menu, " ", add);
  return box;
}

function renderStatus() {
  const adjudicated = state.status === "adjudicated";
  $("review-status").textContent = adjudicated ? `adjudicated by ${state.adjudicated_by || "?"}` : "open";
  const n = state.undecided;
  $("undecided").textContent = `${n} undecided group${n === 1 ? "" : "s"} of ${state.groups.length}`;
  $("undecided").dataset.count = String(n);
  $("reopen").hidden = !adjudicated;
  $("adjudicate").disabled = adjudicated;
  $("undo").disabled = state.last_decision === null;
  $("undo").textContent = state.last_decision ? `Undo (${state.last_decision})` : "Undo";
  const redo = state.redo;
  $("redo").disabled = !redo || !redo.can_redo;
  $("redo").textContent = redo ? `Redo (${redo.action})` : "Redo";
}

function render() {
  spansById = new Map(state.spans.map((s) => [s.id, s]));
  renderStatus();
  drawLanes();
  renderFocus();
  renderHistory($("history-body"), state, {
    undo: (entry) => decideAndToast("undo", { decision_id: entry.id }, `Undone: ${entry.action} (#${entry.id}).`),
    redo: () => act({ name: "redo" }),
  });
}

function setFocus(i, scroll = true) {
  ui.focus = i;
  ui.goldCursor = 0;
  ui.awaitingLabel = false;
  renderFocus();
  if (scroll) scrollToFocus();
}

// ---------------------------------------------------------------- deciding

async function reload() {
  state = await api.load();
  render();
}

/** One decision; null (and the refusal shown) when the server refused it. */
async function decide(name, body = {}) {
  const response = await api.decide(name, body, state.version);
  if (!response.ok) {
    if (response.status === 409 && response.body?.undecided === undefined) await reload();
    const message = refusal(response);
    say(message);
    toast(message, true);
    return null;
  }
  await reload();
  return response.body ?? {};
}

/** Decisions in turn; then on to the next undecided group if this one got decided. */
async function decideGroup(requests, done) {
  if (ui.busy) return;
  ui.busy = true;
  try {
    const was = currentGroup();
    const open = was && !was.decided;
    for (const request of requests) {
      if (!(await decide(request.name, request.body))) return;
    }
    const now = currentGroup();
    if (!(open && now && now.decided)) {
      renderFocus();
      say(done);
      return;
    }
    const next = choose.nextUndecided(state.groups, ui.focus, 1);
    if (next < 0) {
      setFocus(ui.focus, false);
      say(`${done} Every group is decided: Shift+A adjudicates.`);
      return;
    }
    setFocus(next);
    say(`${done} Now group ${next + 1}.`);
  } finally {
    ui.busy = false;
  }
}

function decideAndSay(name, body, done) {
  return decideGroup([{ name, body }], done);
}

async function decideAndToast(name, body, done) {
  if (await decide(name, body)) toast(done);
}

// ---------------------------------------------------------------- actions

function letter(number) {
  return state.annotators[number - 1]?.key ?? String(number);
}

function take({ number }) {
  const group = currentGroup();
  if (!group) return say("No group to decide.");
  const version = choose.versions(group, state.annotators, spansById)[number - 1];
  if (!version) return say(`There is no annotator ${number} here: press 1 to ${state.annotators.length}.`);
  if (groupGold().length) {
    return say("This group has a gold span already: u undoes it, x removes it, l relabels it, or select words to correct it.");
  }
  if (!version.spans.length) return reject();
  const requests = choose.takeRequests(version).map((body) => ({ name: "accept", body }));
  if (!requests.length) return say(`${version.key}'s version is in gold already. n goes on.`);
  return decideGroup(requests, `Took ${version.key}'s version.`);
}

function majority() {
  const group = currentGroup();
  if (!group) return say("No group to decide.");
  const ids = choose.majorityTarget(group);
  if (ids) return decideAndSay("accept", { span_ids: ids }, "Took the majority's version.");
  const keys = state.annotators.map((a, i) => `${i + 1} for ${a.key}'s version`).join(", ");
  return say(`No majority here: press ${keys}, r to reject, or select words and press a label's key.`);
}

function reject() {
  const group = currentGroup();
  if (!group) return say("No group to decide.");
  const ids = choose.rejectTargets(group, spansById);
  if (!ids.length) return say("Nothing left to reject in this group.");
  return decideAndSay("reject", { span_ids: ids }, "Rejected the group.");
}

function labelKeys() {
  return state.labels.map((l) => `${l.hotkey} ${l.display_name}`).join(", ");
}

function relabelStart() {
  if (!focusedGold()) return say("No gold span in this group to relabel: take a version first (1\u20139).");
  ui.awaitingLabel = true;
  return say(`Relabel: press a label's key (${labelKeys()}), or Esc.`);
}

function correct(gold, start, end, label, done) {
  const body = choose.correctionBody(currentGroup(), gold, start, end, label);
  return decideAndSay("correct", body, done);
}

function relabel({ label }) {
  ui.awaitingLabel = false;
  const gold = focusedGold();
  if (!gold) return say("No gold span to relabel.");
  if (gold.label === label) return say(`It is ${look.name(label)} already.`);
  return correct(gold, gold.start, gold.end, label, `Relabelled as ${look.name(label)}.`);
}

function boundary({ edge, step }) {
  const gold = focusedGold();
  if (!gold) return say("No gold span here to move: take a version first (1\u20139).");
  const moved = moveBoundary(index, gold.start, gold.end, edge, step);
  if (!moved) return say(`The ${edge} cannot move further that way.`);
  return correct(gold, moved[0], moved[1], gold.label, `Moved the ${edge}: \u201c${chars.slice(moved[0], moved[1]).join("")}\u201d.`);
}

function labelSelection({ label }) {
  const selected = selectedRange($("lanes"), index, ui.alt);
  if (!selected?.range) return say("Select words in the text first (only whitespace is selected).");
  const [start, end] = selected.range;
  const g = choose.groupAt(state.groups, start, end, ui.focus);
  const group = state.groups[g] ?? null;
  if (g >= 0 && g !== ui.focus) setFocus(g, false);
  // The group's own gold span the selection corrects (not a claim the group sits in).
  const mine = group ? choose.goldInGroup(state.gold, group, spansById) : [];
  const hit = mine.filter((x) => x.start < end && start < x.end);
  const replaced = hit.includes(focusedGold()) ? focusedGold() : (hit[0] ?? null);
  const chosen = label ?? choose.keptLabel(group, replaced, spansById);
  if (!chosen) return say(`Press a label's key (${labelKeys()}): there is no label to keep here.`);
  clearSelection();
  const words = `\u201c${chars.slice(start, end).join("")}\u201d`;
  if (!group && !replaced) return decideAndSay("add", { start, end, label: chosen }, `Added ${words} as ${look.name(chosen)}.`);
  return correct(replaced, start, end, chosen, `Gold span ${words} (${look.name(chosen)}).`);
}

function acceptLink() {
  const link = choose.focusedPending(state.annotator_links_not_in_gold, currentGroup());
  if (!link) return say("No pending link to accept.");
  const requests = choose.pendingRequests(link, spansById, state.gold);
  if (!requests.length) return say("An end of this link is rejected: undo that rejection first (u).");
  return decideGroup(requests, "Accepted the pending link.");
}

function removeGold() {
  const gold = focusedGold();
  if (!gold) return say("No gold span here to remove.");
  return decideAndSay("remove", { gold_id: gold.id }, "Removed the gold span.");
}

function move(step, any) {
  const next = any ? choose.nextGroup(state.groups, ui.focus, step) : choose.nextUndecided(state.groups, ui.focus, step);
  if (next < 0) return say(any ? "No group further that way." : "Every group is decided: Shift+A adjudicates.");
  setFocus(next);
  return say("");
}

async function undo() {
  await decideAndToast("undo", {}, "Undid the latest decision.");
  renderFocus();
}

async function redo() {
  if (!state.redo) return toast("Nothing to redo.");
  const redone = state.redo;
  return decideAndToast("redo", { decision_id: redone.id }, `Redone: ${redone.action} (#${redone.id}).`);
}

function escape() {
  ui.awaitingLabel = false;
  clearSelection();
  say("");
}

const dialogs = bindDialogs({
  undecided: () => state.undecided,
  finish: adjudicate,
  cancelled: (n) => say(`Not adjudicated: ${n} undecided group${n === 1 ? "" : "s"} remain.`),
});

async function adjudicate(confirmed) {
  if (state.status === "adjudicated") return toast("Adjudicated already: Reopen to change it.");
  if (state.undecided > 0 && confirmed === undefined) return dialogs.askAdjudicate();
  const result = await decide("adjudicate", { undecided: confirmed ?? 0 });
  if (!result) return null;
  const suffix = state.names_shown ? "?names=shown" : "";
  window.location.assign(
    result.next_document_id === null || result.next_document_id === undefined
      ? payload.queue_url
      : `${payload.queue_url}/documents/${result.next_document_id}${suffix}`,
  );
  return result;
}

const ACTIONS = {
  take,
  majority,
  reject,
  next: () => move(1, false),
  previous: () => move(-1, false),
  "next-group": () => move(1, true),
  "previous-group": () => move(-1, true),
  "relabel-start": relabelStart,
  relabel,
  "relabel-cancel": () => { ui.awaitingLabel = false; say("Relabel cancelled."); },
  boundary,
  "label-selection": labelSelection,
  "accept-link": acceptLink,
  "next-gold": () => { ui.goldCursor += 1; renderFocus(); },
  "remove-gold": removeGold,
  undo,
  redo,
  adjudicate: () => adjudicate(),
  help: () => dialogs.showKeys(),
  escape,
};

function act(action) {
  if (ui.busy) return null;
  return ACTIONS[action.name](action);
}

function onKey(event) {
  if (document.querySelector("dialog[open]")) return;
  if (event.target.closest?.("input, select, textarea")) return;
  const selecting = selectedRange($("lanes"), index, false) !== null;
  const action = keyAction(event, { selecting, awaitingLabel: ui.awaitingLabel, labels: state.labels });
  if (!action) return;
  if (action.name === "escape" && !ui.awaitingLabel && !selecting) return;
  event.preventDefault();
  act(action);
}

function onClick(event) {
  if (!document.getSelection()?.isCollapsed) return;
  const target = event.target.closest?.("[data-groups]");
  if (!target) return;
  const hits = target.dataset.groups.split(" ").map(Number);
  setFocus(hits[hits.length - 1], false); // the innermost group
}

/** The sticky bar's height, so that the sticky panel starts below it. */
function measureBar() {
  document.documentElement.style.setProperty("--bar-height", `${$("review-bar").offsetHeight}px`);
}

let resizeTimer = 0;
function onResize() {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    measureBar();
    if (view.layout()) {
      drawLanes();
      highlight();
    }
    renderLinks();
  }, 150);
}

function wire() {
  $("accept-agreed").addEventListener("click", () => decideAndSay("accept-agreed", {}, "Accepted every agreed span."));
  $("accept-majority").addEventListener("click", () => decideAndSay("accept-majority", {}, "Confirmed the majority pre-fill."));
  $("undo").addEventListener("click", undo);
  $("redo").addEventListener("click", redo);
  $("reopen").addEventListener("click", () => decideAndToast("reopen", {}, "Reopened."));
  $("adjudicate").addEventListener("click", () => adjudicate());
  $("show-keys").addEventListener("click", () => dialogs.showKeys());
  $("lanes").addEventListener("mouseup", (event) => { ui.alt = event.altKey; });
  $("lanes").addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", onResize);
  // Rows of long texts are laid out as they come into view (content-visibility),
  // which moves the marks the connectors join: draw them again after scrolling.
  window.addEventListener("scrollend", () => {
    if ($("lanes").classList.contains("long")) renderLinks();
  });
}

renderLegend($("legend"), state.labels, look);
measureBar();
performance.mark("review-start");
view.layout();
performance.mark("review-rows");
wire();
render();
performance.mark("review-drawn");
setFocus(Math.max(choose.nextUndecided(state.groups, -1, 1), state.groups.length ? 0 : -1));
$("lanes").dataset.ready = "true";
performance.mark("review-interactive");
