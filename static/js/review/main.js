// The review page: every annotator's spans side by side, the aligned groups
// with their kind, and the reviewer's decisions through the JSON API. Text is
// only ever set with textContent; offsets are code points.
import { getJson, postJson } from "../lib/http.js";
import {
  acceptTarget,
  codePoints,
  correctionDefaults,
  groupSpanIds,
  historyShortcut,
  historyState,
  nextOpen,
  pendingLinksText,
  rejectTargets,
  segments,
} from "./compare.js";

const payload = JSON.parse(document.getElementById("review-data").textContent);
const namesShown = new URLSearchParams(window.location.search).get("names") === "shown";
let state = payload.state;
let chars = codePoints(state.document.text);
let current = -1;
let chosen = null;

const $ = (id) => document.getElementById(id);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function labelClass(label) {
  const index = state.labels.findIndex((l) => l.name === label);
  return index < 0 ? "lbl-x" : `lbl-${index % 10}`;
}

function excerpt(start, end) {
  return chars.slice(start, end).join("");
}

function spansById() {
  return new Map(state.spans.map((span) => [span.id, span]));
}

function say(message) {
  $("message").textContent = message;
  $("error").textContent = "";
}

function complain(message) {
  $("error").textContent = message;
}

// ---------------------------------------------------------------- requests

async function load() {
  const response = await getJson(payload.api + (namesShown ? "?names=shown" : ""));
  if (!response.ok || !response.body) throw new Error(`loading failed (${response.status})`);
  state = response.body;
  chars = codePoints(state.document.text);
  render();
}

async function decide(name, body = {}) {
  const response = await postJson(`${payload.api}/${name}`, { ...body, version: state.version });
  const result = response.body ?? {};
  if (response.status === 409) {
    await load();
    complain(result.error || "Changed elsewhere; reloaded.");
    return null;
  }
  if (!response.ok) {
    const field = result.field ? ` (${result.field})` : "";
    complain((result.error || `refused (${response.status})`) + field);
    return null;
  }
  await load();
  return result;
}

// ---------------------------------------------------------------- rendering

function markedText(spans, proposed = []) {
  const all = [...spans, ...proposed.map((p) => ({ ...p, proposed: true }))];
  const group = state.groups[current];
  const paragraph = element("p", null, "annotated-text");
  for (const run of segments(chars.length, all)) {
    const text = excerpt(run.start, run.end);
    if (run.spans.length === 0) {
      paragraph.append(document.createTextNode(text));
      continue;
    }
    const inner = run.spans[run.spans.length - 1];
    const mark = element("mark", text, `seg ${labelClass(inner.label)}`);
    if (run.spans.length > 1) mark.classList.add("stacked");
    if (inner.proposed) mark.classList.add("proposed");
    if (group && run.start < group.end && group.start < run.end) {
      mark.classList.add("current");
    }
    mark.title = run.spans.map((s) => s.label + (s.proposed ? " (proposed)" : "")).join(" + ");
    paragraph.append(mark);
  }
  return paragraph;
}

function row(key, title, spans, proposed, className) {
  const container = element("div", null, `review-row ${className}`);
  container.dataset.annotator = key;
  container.append(element("h3", title), markedText(spans, proposed));
  return container;
}

function renderRows() {
  const rows = $("rows");
  rows.replaceChildren();
  for (const annotator of state.annotators) {
    const own = state.spans.filter((s) => s.annotator === annotator.key);
    rows.append(row(annotator.key, annotator.key, own, [], "annotator-row"));
  }
  const proposed = state.groups.filter((g) => !g.decided).flatMap((g) => g.majority);
  rows.append(row("gold", "Gold", state.gold, proposed, "gold-row"));
}

function spanChip(span) {
  const chip = element("button", `${span.label} ${span.start}–${span.end}`, "span-chip");
  chip.type = "button";
  chip.classList.add(labelClass(span.label));
  if (span.rejected) chip.classList.add("rejected");
  if (span.in_gold) chip.classList.add("in-gold");
  chip.setAttribute("aria-pressed", String(chosen === span.id));
  chip.dataset.spanId = String(span.id);
  chip.addEventListener("click", (event) => {
    event.stopPropagation();
    chosen = span.id;
    select(Number(chip.closest("tr").dataset.index), false);
  });
  return chip;
}

function groupRow(group, byId) {
  const tr = element("tr", null, `group kind-${group.kind}`);
  tr.dataset.index = String(group.index);
  if (group.decided) tr.classList.add("decided");
  if (group.index === current) {
    tr.classList.add("current");
    tr.setAttribute("aria-current", "true");
  }
  tr.append(
    element("td", `${group.start}–${group.end}`, "num"),
    element("td", group.kind_text + (group.kind === "boundary" && group.labels_differ ? "; labels differ too" : ""), "kind"),
    element("td", excerpt(group.start, group.end), "excerpt"),
  );
  for (const annotator of state.annotators) {
    const cell = element("td");
    for (const id of group.span_ids[annotator.key] || []) cell.append(spanChip(byId.get(id)));
    if (!cell.childElementCount) cell.append(element("span", "nothing", "nothing"));
    tr.append(cell);
  }
  const majority = group.majority.map((m) => `${m.label} ${m.start}–${m.end}`).join(", ");
  tr.append(element("td", majority || "—"), element("td", group.decided ? "decided" : "open", "decided-cell"));
  const actions = element("td");
  const accept = element("button", "Accept", "accept");
  accept.type = "button";
  accept.addEventListener("click", (e) => { e.stopPropagation(); select(group.index, false); acceptCurrent(); });
  const reject = element("button", "Reject", "reject");
  reject.type = "button";
  reject.addEventListener("click", (e) => { e.stopPropagation(); select(group.index, false); rejectCurrent(); });
  actions.append(accept, reject);
  tr.append(actions);
  tr.addEventListener("click", () => select(group.index, true));
  return tr;
}

function renderGroups() {
  const head = $("groups-head");
  head.replaceChildren(
    ...["Offsets", "Kind", "Text", ...state.annotators.map((a) => a.key), "Majority", "State", "Decide"].map(
      (name) => Object.assign(element("th", name), { scope: "col" }),
    ),
  );
  const byId = spansById();
  const body = $("groups-body");
  body.replaceChildren(...state.groups.map((group) => groupRow(group, byId)));
  if (!state.groups.length) {
    const empty = element("td", "No spans to review.");
    empty.colSpan = 6 + state.annotators.length;
    const tr = element("tr");
    tr.append(empty);
    body.append(tr);
  }
}

function goldName(gold) {
  return `${gold.label} ${gold.start}–${gold.end}`;
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

function linksCell(gold) {
  const cell = element("td", null, "links");
  const byId = new Map(state.gold.map((g) => [g.id, g]));
  for (const link of state.gold_links.filter((l) => l.source_id === gold.id)) {
    const target = byId.get(link.target_id);
    const item = element("span", `${link.kind} ${target ? goldName(target) : "?"} `, "gold-link");
    const unlink = element("button", "Unlink", "unlink");
    unlink.type = "button";
    unlink.addEventListener("click", () => run(() => decide("unlink", { link_id: link.id }), "Link removed."));
    item.append(unlink);
    cell.append(item);
  }
  const targets = linkTargets(gold);
  if (targets.length) {
    const choice = element("select", null, "link-target");
    choice.setAttribute("aria-label", `Link ${goldName(gold)} to`);
    targets.forEach((t, i) => {
      const option = element("option", `${t.kind} ${goldName(t.other)}`);
      option.value = String(i);
      choice.append(option);
    });
    const add = element("button", "Link", "link");
    add.type = "button";
    add.addEventListener("click", () => {
      const chosenTarget = targets[Number(choice.value)];
      run(
        () => decide("link", { source: gold.id, target: chosenTarget.other.id, kind: chosenTarget.kind }),
        "Link added.",
      );
    });
    cell.append(choice, add);
  }
  return cell;
}

function renderGold() {
  const body = $("gold-body");
  body.replaceChildren();
  for (const gold of state.gold) {
    const tr = element("tr", null, "gold-span");
    const decided = `${gold.decided_by || "?"}, ${new Date(gold.decided_at).toLocaleString()}`;
    tr.append(
      element("td", `${gold.start}–${gold.end}`, "num"),
      element("td", gold.label, labelClass(gold.label)),
      element("td", excerpt(gold.start, gold.end), "excerpt"),
      element("td", gold.decision),
      element("td", gold.sources.join(", ") || "reviewer"),
      element("td", decided),
    );
    tr.append(linksCell(gold));
    const cell = element("td");
    const remove = element("button", "Remove", "remove");
    remove.type = "button";
    remove.addEventListener("click", () => run(() => decide("remove", { gold_id: gold.id }), "Gold span removed."));
    cell.append(remove);
    tr.append(cell);
    body.append(tr);
  }
  if (!state.gold.length) {
    const empty = element("td", "No gold span yet.");
    empty.colSpan = 8;
    const tr = element("tr");
    tr.append(empty);
    body.append(tr);
  }
  const pending = $("links-not-in-gold");
  pending.textContent = pendingLinksText(state.annotator_links_not_in_gold, spansById());
  pending.hidden = !pending.textContent;
}

function renderStatus() {
  const adjudicated = state.status === "adjudicated";
  $("review-status").textContent = adjudicated
    ? `adjudicated by ${state.adjudicated_by || "?"}`
    : "open";
  const open = state.groups.filter((g) => g.kind !== "same" && !g.decided).length;
  $("undecided").textContent = `${open} undecided disagreement${open === 1 ? "" : "s"}, ${state.undecided} undecided group${state.undecided === 1 ? "" : "s"} in all`;
  $("reopen").hidden = !adjudicated;
  $("adjudicate-next").disabled = adjudicated;
  $("undo").disabled = state.last_decision === null;
  $("undo").textContent = state.last_decision ? `Undo last decision (${state.last_decision})` : "Undo last decision";
  const redo = state.redo;
  $("redo").disabled = !redo || !redo.can_redo;
  $("redo").textContent = redo ? `Redo (${redo.action})` : "Redo";
  $("redo").title = redo && !redo.can_redo ? `Undo ${redo.blocked_by.join(", ")} first` : "";
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "?";
}

function historyButton(text, label, action) {
  const button = element("button", text, text.toLowerCase());
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.addEventListener("click", action);
  return button;
}

function historyActions(entry) {
  const cell = element("td");
  const name = `${entry.action} by ${entry.by || "?"} (#${entry.id})`;
  if (entry.can_undo) {
    cell.append(historyButton("Undo", `Undo ${name}`, () => undoDecision(entry)));
  }
  if (state.redo && state.redo.id === entry.id) {
    const redo = historyButton("Redo", `Redo ${name}`, redoLatest);
    redo.disabled = !state.redo.can_redo;
    cell.append(redo);
  }
  return cell;
}

function historyRow(entry) {
  const tr = element("tr", null, `decision kind-${entry.kind}`);
  tr.dataset.id = String(entry.id);
  if (entry.undone_by) tr.classList.add("undone");
  const action = entry.kind === "undo" && entry.target ? `undo ${entry.target.action}` : entry.action;
  tr.append(
    element("td", entry.id, "num"),
    element("td", when(entry.at)),
    element("td", entry.by || "?"),
    element("td", action),
    element("td", entry.summary),
    element("td", historyState(entry, when), "state"),
    historyActions(entry),
  );
  return tr;
}

function renderHistory() {
  const body = $("history-body");
  body.replaceChildren(...state.history.map(historyRow));
  if (!state.history.length) {
    const empty = element("td", "No decision yet.");
    empty.colSpan = 7;
    const tr = element("tr");
    tr.append(empty);
    body.append(tr);
  }
}

function renderLabels() {
  const menu = $("gold-label");
  if (menu.options.length) return;
  for (const label of state.labels) {
    const option = element("option", label.display_name);
    option.value = label.name;
    menu.append(option);
  }
}

function fillForm() {
  const group = state.groups[current];
  if (!group) return;
  const defaults = correctionDefaults(group, spansById(), chosen);
  $("gold-start").value = String(defaults.start);
  $("gold-end").value = String(defaults.end);
  if (defaults.label) $("gold-label").value = defaults.label;
  preview();
}

function preview() {
  const start = Number($("gold-start").value);
  const end = Number($("gold-end").value);
  $("gold-preview").textContent = end > start ? excerpt(start, end) : "";
}

function render() {
  if (current >= state.groups.length) current = state.groups.length - 1;
  renderLabels();
  renderStatus();
  renderRows();
  renderGroups();
  renderGold();
  renderHistory();
}

// ---------------------------------------------------------------- actions

function select(index, clearChoice) {
  if (clearChoice && index !== current) chosen = null;
  current = index;
  render();
  fillForm();
  const tr = document.querySelector(`#groups-body tr[data-index="${index}"]`);
  if (tr && tr.scrollIntoView) tr.scrollIntoView({ block: "nearest" });
}

async function run(action, done) {
  try {
    const result = await action();
    if (result) say(done);
    return result;
  } catch (error) {
    complain(String(error.message || error));
    return null;
  }
}

function acceptCurrent() {
  const group = state.groups[current];
  if (!group) return complain("Choose a group first (n for the next disagreement).");
  const ids = acceptTarget(group, chosen);
  if (!ids) return complain("No majority here: click the span to accept, then a.");
  return run(() => decide("accept", { span_ids: ids }), "Span accepted into gold.");
}

function rejectCurrent() {
  const group = state.groups[current];
  if (!group) return complain("Choose a group first (n for the next disagreement).");
  const ids = rejectTargets(group, spansById());
  if (!ids.length) return complain("Nothing left to reject in this group.");
  return run(() => decide("reject", { span_ids: ids }), "Group rejected.");
}

function moveTo(step) {
  const index = nextOpen(state.groups, current < 0 && step < 0 ? 0 : current, step);
  if (index < 0) return say("No undecided disagreement left.");
  chosen = null;
  return select(index, true);
}

function formSpan() {
  return {
    start: Number($("gold-start").value),
    end: Number($("gold-end").value),
    label: $("gold-label").value,
    note: $("gold-note").value,
  };
}

function saveCorrection(event) {
  event.preventDefault();
  const group = state.groups[current];
  if (!group) return complain("Choose a group to correct, or add a new span.");
  const ids = chosen !== null && groupSpanIds(group).includes(chosen) ? [chosen] : groupSpanIds(group);
  return run(() => decide("correct", { span_ids: ids, ...formSpan() }), "Correction saved.");
}

async function adjudicateAndNext() {
  const open = state.undecided;
  const groups = open === 1 ? "1 group is" : `${open} groups are`;
  if (open > 0 && !window.confirm(`${groups} still undecided. Adjudicate anyway?`)) {
    return say("Not adjudicated: decide the open groups, or confirm leaving them.");
  }
  const result = await run(() => decide("adjudicate", { undecided: open }), "Adjudicated.");
  if (!result) return;
  const suffix = namesShown ? "?names=shown" : "";
  window.location.assign(
    result.next_document_id === null
      ? payload.queue_url
      : `${payload.queue_url}/documents/${result.next_document_id}${suffix}`,
  );
}

function undoLatest() {
  return run(() => decide("undo"), "Last decision undone.");
}

function undoDecision(entry) {
  return run(() => decide("undo", { decision_id: entry.id }), `Undone: ${entry.action} (#${entry.id}).`);
}

function redoLatest() {
  if (!state.redo) return say("Nothing to redo.");
  const redo = state.redo;
  return run(() => decide("redo", { decision_id: redo.id }), `Redone: ${redo.action} (#${redo.id}).`);
}

const KEYS = {
  a: acceptCurrent,
  r: rejectCurrent,
  n: () => moveTo(1),
  j: () => moveTo(1),
  k: () => moveTo(-1),
  u: undoLatest,
};

function onKey(event) {
  if (event.target.closest("input, select, textarea")) return;
  const chord = historyShortcut(event);
  if (chord) {
    event.preventDefault();
    if (chord === "undo") undoLatest();
    else redoLatest();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const action = KEYS[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
}

$("accept-agreed").addEventListener("click", () => run(() => decide("accept-agreed"), "Every agreed span accepted."));
$("accept-majority").addEventListener("click", () => run(() => decide("accept-majority"), "Majority pre-fill confirmed."));
$("undo").addEventListener("click", undoLatest);
$("redo").addEventListener("click", redoLatest);
$("reopen").addEventListener("click", () => run(() => decide("reopen"), "Reopened."));
$("adjudicate-next").addEventListener("click", adjudicateAndNext);
$("gold-form").addEventListener("submit", saveCorrection);
$("add-span").addEventListener("click", () => run(() => decide("add", formSpan()), "Gold span added."));
$("gold-start").addEventListener("input", preview);
$("gold-end").addEventListener("input", preview);
document.addEventListener("keydown", onKey);
render();
