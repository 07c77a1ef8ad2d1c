// The review page: the text once with a lane per annotator and one for gold
// under each row, a sticky decision panel for the focused group, links drawn
// and listed, the decision history, and a keyboard for all of it. Offsets
// are code points; text is only ever set with textContent.

import { OffsetIndex } from "../lib/offsets.js";
import { refusal, reviewApi } from "./api.js";
import { reviewActions } from "./actions.js";
import * as choose from "./groups.js";
import { renderHistory } from "./history.js";
import { keyAction } from "./keys.js";
import { LaneView } from "./lanes.js";
import { overlapping, reach } from "./layout.js";
import { drawArcs, linkItems, renderLinkList } from "./links.js";
import { labelLook, renderLegend } from "./look.js";
import { renderPanel } from "./panel.js";
import { selectedRange } from "./selection.js";
import { codePoints } from "./words.js";

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

const page = {
  get state() {
    return state;
  },
  get spansById() {
    return spansById;
  },
  ui,
  chars,
  index,
  look,
  payload,
  lanes: $("lanes"),
  say,
  toast,
  currentGroup,
  groupGold,
  focusedGold,
  setFocus,
  renderFocus,
  decide,
  decideGroup,
  decideAndSay,
  decideAndToast,
};
const ACTIONS = reviewActions(page);

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
  $("undo").addEventListener("click", () => act({ name: "undo" }));
  $("redo").addEventListener("click", () => act({ name: "redo" }));
  $("reopen").addEventListener("click", () => decideAndToast("reopen", {}, "Reopened."));
  $("adjudicate").addEventListener("click", () => act({ name: "adjudicate" }));
  $("show-keys").addEventListener("click", () => act({ name: "help" }));
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
