// What the review page's keys and buttons do: each action reads the page's
// state through ``page`` (main.js), asks the server for decisions, and says
// what happened beside the group. Offsets are code points.

import { bindDialogs } from "./dialogs.js";
import * as choose from "./groups.js";
import { clearSelection, selectedRange } from "./selection.js";
import { moveBoundary } from "./words.js";

/** The actions by name (as keys.js names them) for ``page``. */
export function reviewActions(page) {
  function take({ number }) {
    const group = page.currentGroup();
    if (!group) return page.say("No group to decide.");
    const version = choose.versions(group, page.state.annotators, page.spansById)[number - 1];
    if (!version) return page.say(`There is no annotator ${number} here: press 1 to ${page.state.annotators.length}.`);
    if (page.groupGold().length) {
      return page.say("This group has a gold span already: u undoes it, x removes it, l relabels it, or select words to correct it.");
    }
    if (!version.spans.length) return reject();
    const requests = choose.takeRequests(version).map((body) => ({ name: "accept", body }));
    if (!requests.length) return page.say(`${version.key}'s version is in gold already. n goes on.`);
    return page.decideGroup(requests, `Took ${version.key}'s version.`);
  }

  function majority() {
    const group = page.currentGroup();
    if (!group) return page.say("No group to decide.");
    const ids = choose.majorityTarget(group);
    if (ids) return page.decideAndSay("accept", { span_ids: ids }, "Took the majority's version.");
    const keys = page.state.annotators.map((a, i) => `${i + 1} for ${a.key}'s version`).join(", ");
    return page.say(`No majority here: press ${keys}, r to reject, or select words and press a label's key.`);
  }

  function reject() {
    const group = page.currentGroup();
    if (!group) return page.say("No group to decide.");
    const ids = choose.rejectTargets(group, page.spansById);
    if (!ids.length) return page.say("Nothing left to reject in this group.");
    return page.decideAndSay("reject", { span_ids: ids }, "Rejected the group.");
  }

  function labelKeys() {
    return page.state.labels.map((l) => `${l.hotkey} ${l.display_name}`).join(", ");
  }

  function relabelStart() {
    if (!page.focusedGold()) return page.say("No gold span in this group to relabel: take a version first (1\u20139).");
    page.ui.awaitingLabel = true;
    return page.say(`Relabel: press a label's key (${labelKeys()}), or Esc.`);
  }

  function correct(gold, start, end, label, done) {
    const body = choose.correctionBody(page.currentGroup(), gold, start, end, label);
    return page.decideAndSay("correct", body, done);
  }

  function relabel({ label }) {
    page.ui.awaitingLabel = false;
    const gold = page.focusedGold();
    if (!gold) return page.say("No gold span to relabel.");
    if (gold.label === label) return page.say(`It is ${page.look.name(label)} already.`);
    return correct(gold, gold.start, gold.end, label, `Relabelled as ${page.look.name(label)}.`);
  }

  function boundary({ edge, step }) {
    const gold = page.focusedGold();
    if (!gold) return page.say("No gold span here to move: take a version first (1\u20139).");
    const moved = moveBoundary(page.index, gold.start, gold.end, edge, step);
    if (!moved) return page.say(`The ${edge} cannot move further that way.`);
    return correct(gold, moved[0], moved[1], gold.label, `Moved the ${edge}: \u201c${page.chars.slice(moved[0], moved[1]).join("")}\u201d.`);
  }

  function labelSelection({ label }) {
    const selected = selectedRange(page.lanes, page.index, page.ui.alt);
    if (!selected?.range) return page.say("Select words in the text first (only whitespace is selected).");
    const [start, end] = selected.range;
    const g = choose.groupAt(page.state.groups, start, end, page.ui.focus);
    const group = page.state.groups[g] ?? null;
    if (g >= 0 && g !== page.ui.focus) page.setFocus(g, false);
    // The group's own gold span the selection corrects (not a claim the group sits in).
    const mine = group ? choose.goldInGroup(page.state.gold, group, page.spansById) : [];
    const hit = mine.filter((x) => x.start < end && start < x.end);
    const replaced = hit.includes(page.focusedGold()) ? page.focusedGold() : (hit[0] ?? null);
    const chosen = label ?? choose.keptLabel(group, replaced, page.spansById);
    if (!chosen) return page.say(`Press a label's key (${labelKeys()}): there is no label to keep here.`);
    clearSelection();
    const words = `\u201c${page.chars.slice(start, end).join("")}\u201d`;
    if (!group && !replaced) return page.decideAndSay("add", { start, end, label: chosen }, `Added ${words} as ${page.look.name(chosen)}.`);
    return correct(replaced, start, end, chosen, `Gold span ${words} (${page.look.name(chosen)}).`);
  }

  function acceptLink() {
    const link = choose.focusedPending(page.state.annotator_links_not_in_gold, page.currentGroup());
    if (!link) return page.say("No pending link to accept.");
    const requests = choose.pendingRequests(link, page.spansById, page.state.gold);
    if (!requests.length) return page.say("An end of this link is rejected: undo that rejection first (u).");
    return page.decideGroup(requests, "Accepted the pending link.");
  }

  function removeGold() {
    const gold = page.focusedGold();
    if (!gold) return page.say("No gold span here to remove.");
    return page.decideAndSay("remove", { gold_id: gold.id }, "Removed the gold span.");
  }

  function move(step, any) {
    const next = any ? choose.nextGroup(page.state.groups, page.ui.focus, step) : choose.nextUndecided(page.state.groups, page.ui.focus, step);
    if (next < 0) return page.say(any ? "No group further that way." : "Every group is decided: Shift+A adjudicates.");
    page.setFocus(next);
    return page.say("");
  }

  async function undo() {
    await page.decideAndToast("undo", {}, "Undid the latest decision.");
    page.renderFocus();
  }

  async function redo() {
    if (!page.state.redo) return page.toast("Nothing to redo.");
    const redone = page.state.redo;
    return page.decideAndToast("redo", { decision_id: redone.id }, `Redone: ${redone.action} (#${redone.id}).`);
  }

  function escape() {
    page.ui.awaitingLabel = false;
    clearSelection();
    page.say("");
  }

  const dialogs = bindDialogs({
    undecided: () => page.state.undecided,
    finish: adjudicate,
    cancelled: (n) => page.say(`Not adjudicated: ${n} undecided group${n === 1 ? "" : "s"} remain.`),
  });

  async function adjudicate(confirmed) {
    if (page.state.status === "adjudicated") return page.toast("Adjudicated already: Reopen to change it.");
    if (page.state.undecided > 0 && confirmed === undefined) return dialogs.askAdjudicate();
    const result = await page.decide("adjudicate", { undecided: confirmed ?? 0 });
    if (!result) return null;
    const suffix = page.state.names_shown ? "?names=shown" : "";
    window.location.assign(
      result.next_document_id === null || result.next_document_id === undefined
        ? page.payload.queue_url
        : `${page.payload.queue_url}/documents/${result.next_document_id}${suffix}`,
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
    "relabel-cancel": () => { page.ui.awaitingLabel = false; page.say("Relabel cancelled."); },
    boundary,
    "label-selection": labelSelection,
    "accept-link": acceptLink,
    "next-gold": () => { page.ui.goldCursor += 1; page.renderFocus(); },
    "remove-gold": removeGold,
    undo,
    redo,
    adjudicate: () => adjudicate(),
    help: () => dialogs.showKeys(),
    escape,
  };

  return ACTIONS;
}
