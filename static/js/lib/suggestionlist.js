/**
 * The annotator's suggestions as the annotation page keeps them: pure
 * helpers, no DOM, so they run in Node too.
 *
 * The server sends suggestions in code points, end exclusive; the page draws
 * in UTF-16, so each one gets `start16`/`end16` from an OffsetIndex
 * (lib/offsets.js) here and nowhere else. A suggestion whose accept or reject
 * is still waiting in the save queue (after a reload, say) is not shown again;
 * one whose undo is waiting is.
 */

const ANSWER = /^suggestions\/([^/]+)\/(accept|reject|decision)$/;

/**
 * What queued requests `requests` ({path, body}) do to suggestions, in
 * order: `answered`, the ids they accept or reject; `undone`, the
 * suggestions whose decision they forget (DELETE …/decision, whose body
 * carries the suggestion), to be shown again even if the server, not having
 * the undo yet, leaves them out.
 */
export function pendingAnswers(requests) {
  const answered = new Set();
  const undone = new Map();
  for (const request of requests) {
    const match = ANSWER.exec(request.path ?? "");
    if (!match) continue;
    const [, id, action] = match;
    if (action === "decision") {
      answered.delete(id);
      if (request.body?.suggestion?.id === id) undone.set(id, request.body.suggestion);
    } else {
      answered.add(id);
      undone.delete(id);
    }
  }
  return { answered, undone: [...undone.values()] };
}

/** Suggestion ids that queued requests `requests` ({path}) accept or reject. */
export function answeredIn(requests) {
  return pendingAnswers(requests).answered;
}

/** Text order: by start, longer first, then by label. */
export function inTextOrder(a, b) {
  return a.start - b.start || b.end - a.end || a.label.localeCompare(b.label);
}

/**
 * The suggestions to show, in text order, each id once: each with `key`
 * ("s-" + id, never a span key), and UTF-16 `start16`/`end16` from `index`
 * (an OffsetIndex).
 */
export function shownSuggestions(suggestions, index, answered = new Set()) {
  const seen = new Set();
  return suggestions
    .filter((s) => !answered.has(s.id) && !seen.has(s.id) && seen.add(s.id))
    .map((s) => ({
      ...s,
      key: `s-${s.id}`,
      start16: index.toUtf16(s.start),
      end16: index.toUtf16(s.end),
    }))
    .sort(inTextOrder);
}

/**
 * Where `item` goes in `items` (in text order): the index of the first
 * item that comes after it.
 */
export function placeOf(items, item) {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (inTextOrder(items[middle], item) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Label name → how many suggestions carry it, in order of first appearance. */
export function countByLabel(suggestions) {
  const counts = new Map();
  for (const s of suggestions) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  return counts;
}

/** The id to focus once `id` leaves `ids` (in order): the next, else the one before. */
export function neighbourOf(ids, id) {
  const at = ids.indexOf(id);
  if (at === -1) return ids[0] ?? null;
  return ids[at + 1] ?? ids[at - 1] ?? null;
}

/** "0.82" for a score from 0 to 1. */
export function scoreText(score) {
  return Number.isFinite(score) ? score.toFixed(2) : "?";
}
