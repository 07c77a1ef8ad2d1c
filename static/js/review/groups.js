// Which group, which version, which spans: the review page's choices without
// the DOM. A group is the server's aligned group ({index, start, end, kind,
// span_ids: {annotator key: [span id]}, decided, majority}); versions are
// annotators in the order of state.annotators (A = 1, B = 2, …).

/**
 * Index of the next (step 1) or previous (step -1) undecided group after
 * ``current``, wrapping around; -1 when every group is decided.
 */
export function nextUndecided(groups, current, step = 1) {
  const n = groups.length;
  for (let k = 1; k <= n; k += 1) {
    const index = (((current + step * k) % n) + n) % n;
    if (!groups[index].decided) return index;
  }
  return -1;
}

/** The neighbouring group whatever its state (no wrap); -1 past the ends. */
export function nextGroup(groups, current, step = 1) {
  const index = current + step;
  return index >= 0 && index < groups.length ? index : -1;
}

/** Every span id of a group, annotator by annotator. */
export function groupSpanIds(group) {
  return Object.values(group.span_ids).flat();
}

/**
 * The group's versions: one per annotator, {key, number, spans} (spans may be
 * empty: that annotator marked nothing here).
 */
export function versions(group, annotators, spansById) {
  return annotators.map((annotator, i) => ({
    key: annotator.key,
    number: i + 1,
    spans: (group.span_ids[annotator.key] || []).map((id) => spansById.get(id)).filter(Boolean),
  }));
}

/**
 * What taking a version asks of the server: one ``accept`` per distinct
 * (start, end, label) of the version's spans, with those span ids; spans
 * already in gold are left out. [] for a version that marked nothing.
 */
export function takeRequests(version) {
  const byTriple = new Map();
  for (const span of version.spans) {
    if (span.in_gold) continue;
    const key = `${span.start}:${span.end}:${span.label}`;
    if (!byTriple.has(key)) byTriple.set(key, []);
    byTriple.get(key).push(span.id);
  }
  return [...byTriple.values()].map((ids) => ({ span_ids: ids }));
}

/** The majority's span ids when the group has exactly one proposal, else null. */
export function majorityTarget(group) {
  return group.majority.length === 1 ? group.majority[0].span_ids : null;
}

/** The group's spans that "reject" can still take: not rejected, not gold. */
export function rejectTargets(group, spansById) {
  return groupSpanIds(group).filter((id) => {
    const span = spansById.get(id);
    return span && !span.rejected && !span.in_gold;
  });
}

/**
 * The group's gold spans, as the server decides a group: made from one of its
 * spans, or added by hand over its passage with one of its labels (a claim
 * taken into gold is not the gold of a hedge nested in it).
 */
export function goldInGroup(gold, group, spansById) {
  const ids = new Set(groupSpanIds(group));
  const labels = new Set([...ids].map((id) => spansById.get(id)?.label));
  return gold.filter((g) =>
    g.source_span_ids.length
      ? g.source_span_ids.some((id) => ids.has(id))
      : g.start < group.end && group.start < g.end && labels.has(g.label),
  );
}

/** The group whose range overlaps [start, end), preferring ``preferred``. */
export function groupAt(groups, start, end, preferred = -1) {
  const hits = (g) => g.start < end && start < g.end;
  if (preferred >= 0 && groups[preferred] && hits(groups[preferred])) return preferred;
  const found = groups.findIndex(hits);
  return found;
}

/**
 * The pending annotator link the ``p`` key accepts: the first whose source
 * or target span is in the group, else the first of all; null if none.
 */
export function focusedPending(pending, group) {
  if (!pending.length) return null;
  if (group) {
    const ids = new Set(groupSpanIds(group));
    const near = pending.find((l) => ids.has(l.source_span_id) || ids.has(l.target_span_id));
    if (near) return near;
  }
  return pending[0];
}

/**
 * The decisions that put a pending annotator link into gold: accept each end
 * not yet a gold span (the server carries the link once both ends are gold),
 * or, when both ends are gold already, a ``link`` between their gold spans.
 */
export function pendingRequests(link, spansById, gold) {
  const goldOf = (spanId) => gold.find((g) => g.source_span_ids.includes(spanId));
  const ends = [link.source_span_id, link.target_span_id];
  const missing = ends.filter((id) => !goldOf(id));
  if (missing.length) {
    return missing
      .map((id) => spansById.get(id))
      .filter((span) => span && !span.rejected)
      .map((span) => ({ name: "accept", body: { span_ids: [span.id] } }));
  }
  const [source, target] = ends.map(goldOf);
  return [{ name: "link", body: { source: source.id, target: target.id, kind: link.kind } }];
}

/**
 * The body of a ``correct`` decision giving [start, end) with ``label``:
 * with ``replaced``, that gold span gives way in the same decision and keeps
 * its sources (relabel or new boundary: no span ids); else the group's spans
 * are the sources.
 */
export function correctionBody(group, replaced, start, end, label) {
  const body = { start, end, label };
  if (replaced) body.replaces = replaced.id;
  else if (group) body.span_ids = groupSpanIds(group);
  return body;
}

/** The label a group's correction keeps: its gold span's, the majority's, or the first span's. */
export function keptLabel(group, gold, spansById) {
  if (gold) return gold.label;
  if (!group) return null;
  if (group.majority.length) return group.majority[0].label;
  const first = spansById.get(groupSpanIds(group)[0]);
  return first ? first.label : null;
}
