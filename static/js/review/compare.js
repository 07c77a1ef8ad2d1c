// Pure helpers of the review page (no DOM): cutting a text into marked
// segments and choosing what a keyboard decision acts on. Offsets are code
// points, end exclusive, as in the API.

/** The text as an array of code points, so that offsets index it directly. */
export function codePoints(text) {
  return Array.from(text);
}

/**
 * Cut [0, length) into runs over which the covering spans do not change.
 * Each run is {start, end, spans}, spans outermost first (by start, longest).
 */
export function segments(length, spans) {
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const cuts = new Set([0, length]);
  for (const span of ordered) {
    cuts.add(Math.min(span.start, length));
    cuts.add(Math.min(span.end, length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const runs = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i];
    const end = points[i + 1];
    const covering = ordered.filter((s) => s.start <= start && s.end >= end);
    runs.push({ start, end, spans: covering });
  }
  return runs;
}

/** Whether a group still needs the reviewer: a disagreement not decided. */
export function isOpenDisagreement(group) {
  return group.kind !== "same" && !group.decided;
}

/**
 * Index of the next (step 1) or previous (step -1) open disagreement after
 * ``current``, wrapping around; -1 when there is none.
 */
export function nextOpen(groups, current, step = 1) {
  const n = groups.length;
  for (let k = 1; k <= n; k += 1) {
    const index = (((current + step * k) % n) + n) % n;
    if (isOpenDisagreement(groups[index])) {
      return index;
    }
  }
  return -1;
}

/** Every span id of a group, annotator by annotator. */
export function groupSpanIds(group) {
  return Object.values(group.span_ids).flat();
}

/**
 * What "accept" takes: the chosen span if it is in the group, else the single
 * majority proposal; null when the reviewer must choose.
 */
export function acceptTarget(group, chosenId) {
  if (chosenId !== null && groupSpanIds(group).includes(chosenId)) {
    return [chosenId];
  }
  if (group.majority.length === 1) {
    return group.majority[0].span_ids;
  }
  return null;
}

/** The group's spans that "reject" can still take: not rejected, not gold. */
export function rejectTargets(group, spansById) {
  return groupSpanIds(group).filter((id) => {
    const span = spansById.get(id);
    return span && !span.rejected && !span.in_gold;
  });
}

/** Start, end and label the correction form opens with for a group. */
export function correctionDefaults(group, spansById, chosenId) {
  const chosen = chosenId === null ? null : spansById.get(chosenId);
  if (chosen && groupSpanIds(group).includes(chosenId)) {
    return { start: chosen.start, end: chosen.end, label: chosen.label };
  }
  const first = group.majority[0] ?? spansById.get(groupSpanIds(group)[0]);
  return { start: group.start, end: group.end, label: first ? first.label : "" };
}

/**
 * The gold panel's line about annotators' links not in gold yet (an end is not
 * a gold span): how many, which, and how many have a rejected end; "" if none.
 */
export function pendingLinksText(links, spansById) {
  if (!links.length) return "";
  const name = (id) => {
    const span = spansById.get(id);
    return span ? `${span.label} ${span.start}\u2013${span.end}` : "?";
  };
  const which = links
    .map((l) => `${l.annotator}: ${name(l.source_span_id)} ${l.kind} ${name(l.target_span_id)}`)
    .join("; ");
  const rejected = links.filter((l) => l.rejected_end).length;
  const plural = links.length === 1 ? "" : "s";
  const note = rejected ? `, ${rejected} with a rejected end` : "";
  return `${links.length} annotator link${plural} not in gold (an end is not a gold span yet${note}): ${which}`;
}

/**
 * What a keyboard chord asks of the decision history, as on the annotation
 * page: Ctrl+Z (or Cmd+Z) undo, Ctrl+Shift+Z or Ctrl+Y redo; null otherwise.
 */
export function historyShortcut(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === "z") return event.shiftKey ? "redo" : "undo";
  if (key === "y") return "redo";
  return null;
}

/**
 * The state column of one row of the decision history: in effect, undone
 * (by whom), what an undo or redo row took back, and what stands in the way.
 * ``when`` formats an ISO time for the reader.
 */
export function historyState(entry, when) {
  if (entry.kind === "undo") return `takes back #${entry.target ? entry.target.id : "?"}`;
  const parts = [];
  if (entry.kind === "redo" && entry.target) parts.push(`re-applies #${entry.target.id}`);
  if (entry.undone_by) {
    parts.push(`undone by ${entry.undone_by.by || "?"}, ${when(entry.undone_by.at)}`);
  } else if (entry.blocked_by.length) {
    parts.push(`in effect; to undo it, undo ${entry.blocked_by.join(", ")} first`);
  } else {
    parts.push("in effect");
  }
  return parts.join("; ");
}
