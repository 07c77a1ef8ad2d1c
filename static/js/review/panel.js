// The decision panel beside the text: the focused group's versions as their
// words (what differs marked with <ins>, <del> and <mark>, not by colour
// alone), the buttons and keys that take them, and the group's gold spans.
// Offsets are small print. Text is set with textContent only.

import { wordDiff } from "./words.js";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function button(className, key, text, action) {
  const node = element("button", className);
  node.type = "button";
  node.append(element("kbd", null, key), ` ${text}`);
  node.setAttribute("aria-keyshortcuts", key);
  node.addEventListener("click", action);
  return node;
}

const PIECE_TAG = { same: "span", gap: "span", ins: "ins", del: "del" };

/** The words of one version: its pieces inside quotation marks. */
function quoted(pieces) {
  const words = element("q", "words");
  for (const piece of pieces) {
    const node = element(PIECE_TAG[piece.kind], `piece ${piece.kind}`, piece.text);
    if (piece.kind === "ins") node.title = "only in some versions";
    if (piece.kind === "del") node.title = "in another version, not in this one";
    words.append(node);
  }
  return words;
}

function labelChip(name, look, differs) {
  const chip = element(differs ? "mark" : "span", `label-chip ${look.classes(name)}`, look.name(name));
  if (differs) chip.title = "the versions' labels differ";
  return chip;
}

function offsets(spans) {
  return element("small", "offsets", spans.map((s) => `${s.start}\u2013${s.end}`).join(", "));
}

function versionItem(version, diff, look, labelsDiffer, onTake) {
  const item = element("li", "version");
  item.dataset.annotator = version.key;
  const take = button("take", String(version.number), `Take ${version.key}`, () => onTake(version.number));
  take.dataset.annotator = version.key;
  item.append(take, " ");
  if (!version.spans.length) {
    item.append(element("span", "nothing", "nothing marked (taking it rejects the group)"));
    return item;
  }
  const labels = [...new Set(version.spans.map((s) => s.label))];
  for (const label of labels) item.append(labelChip(label, look, labelsDiffer), " ");
  item.append(quoted(diff.pieces), " ", offsets(version.spans));
  const states = [];
  if (version.spans.every((s) => s.in_gold)) states.push("in gold");
  if (version.spans.every((s) => s.rejected)) states.push("rejected");
  if (states.length) item.append(" ", element("span", "version-state", `(${states.join(", ")})`));
  return item;
}

function goldItem(gold, focused, look, chars, actions) {
  const item = element("li", "gold-item");
  item.dataset.goldId = String(gold.id);
  if (focused) item.setAttribute("aria-current", "true");
  const words = element("q", "words", chars.slice(gold.start, gold.end).join(""));
  item.append(
    labelChip(gold.label, look, false),
    " ",
    words,
    " ",
    offsets([gold]),
    " ",
    element("span", "decision", `${gold.decision}${gold.sources.length ? ` from ${gold.sources.join(", ")}` : ""}`),
  );
  const tools = element("span", "gold-tools");
  tools.append(
    button("relabel", "l", "Relabel", () => actions.relabel(gold)),
    button("remove", "x", "Remove", () => actions.remove(gold)),
  );
  item.append(" ", tools);
  const link = actions.linkControl?.(gold);
  if (link) item.append(link);
  return item;
}

/**
 * Fill ``body`` for ``group`` (null: none focused). ``context`` has
 * versions, gold (in the group), focusedGold, look, chars, total, and
 * actions {take, majority, reject, relabel, remove}.
 */
export function renderPanel(body, group, context) {
  body.replaceChildren();
  if (!group) {
    body.append(element("p", "hint", "No group: nothing to review in this document."));
    return;
  }
  const { versions, look, chars, actions } = context;
  const title = element("h2", "group-title", `Group ${group.index + 1} of ${context.total}`);
  title.id = "group-title";
  const state = group.decided ? "decided" : "undecided";
  const kind = element("p", `group-kind ${state}`, `${group.kind_text} \u00b7 ${state}`);
  const diffs = wordDiff(
    chars,
    versions.map((v) => ({ key: v.key, ranges: v.spans.map((s) => [s.start, s.end]) })),
  );
  const labelsDiffer = new Set(versions.flatMap((v) => v.spans.map((s) => s.label))).size > 1;
  const list = element("ol", "versions");
  list.setAttribute("aria-label", "Versions");
  versions.forEach((version, i) => list.append(versionItem(version, diffs[i], look, labelsDiffer, actions.take)));
  const legend = element("p", "diff-key");
  legend.append(element("ins", "piece ins", "words"), " only in some versions \u00b7 ", element("del", "piece del", "words"), " in another version, not this one");
  const tools = element("p", "group-tools");
  tools.append(button("majority", "a", "Majority", actions.majority), " ", button("reject", "r", "Reject", actions.reject));
  body.append(title, kind, list, legend, tools);
  const gold = element("section", "group-gold");
  gold.append(element("h3", null, "Gold here"));
  if (!context.gold.length) gold.append(element("p", "hint", "None yet."));
  else {
    const items = element("ul", "gold-list");
    for (const g of context.gold) items.append(goldItem(g, g === context.focusedGold, look, chars, actions));
    gold.append(items);
  }
  body.append(gold);
}
