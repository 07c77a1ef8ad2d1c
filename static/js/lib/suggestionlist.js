/**
 * The annotator's suggestions as the annotation page keeps them: pure
 * helpers, no DOM, so they run in Node too.
 *
 * The server sends suggestions in code points, end exclusive; the page draws
 * in UTF-16, so each one gets `start16`/`end16` from an OffsetIndex
 * (lib/offsets.js) here and nowhere else. A suggestion whose accept or reject
 * is still waiting in the save queue (after a reload, say) is not shown again.
 */

const ANSWER = /^suggestions\/([^/]+)\/(accept|reject)$/;

/** Suggestion ids that queued requests `requests` ({path}) accept or reject. */
export function answeredIn(requests) {
  const ids = new Set();
  for (const request of requests) {
    const match = ANSWER.exec(request.path ?? "");
    if (match) ids.add(match[1]);
  }
  return ids;
}

/**
 * The suggestions to show, in text order: each with `key` ("s-" + id, never
 * a span key), and UTF-16 `start16`/`end16` from `index` (an OffsetIndex).
 */
export function shownSuggestions(suggestions, index, answered = new Set()) {
  return suggestions
    .filter((s) => !answered.has(s.id))
    .map((s) => ({
      ...s,
      key: `s-${s.id}`,
      start16: index.toUtf16(s.start),
      end16: index.toUtf16(s.end),
    }))
    .sort((a, b) => a.start - b.start || b.end - a.end || a.label.localeCompare(b.label));
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
