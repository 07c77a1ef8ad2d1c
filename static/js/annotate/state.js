/**
 * The annotator's spans and links as the page shows them.
 *
 * Spans and links are known by a `key` that stays the same for the life of the
 * page, while their `id` is what the server calls them: a temporary id
 * ("tmp-…") until the create returns, a number after, and a new temporary id
 * when an undo re-creates a deleted span. Links point at span keys, so undoing
 * the deletion of a linked span can restore its links. Offsets are code
 * points, end exclusive. No DOM here.
 */

function spanIdFromPath(path, kind) {
  const match = new RegExp(`^${kind}/([^/]+)$`).exec(path);
  if (!match) return null;
  return /^\d+$/.test(match[1]) ? Number(match[1]) : match[1];
}

export class AnnotationState {
  #nextKey = 0;

  constructor(annotation) {
    this.load(annotation);
  }

  /** Replace everything with the server's annotation of this user. */
  load(annotation) {
    this.spans = new Map();
    this.links = new Map();
    this.status = annotation.status;
    this.version = annotation.version;
    const keys = new Map();
    for (const span of annotation.spans) {
      keys.set(span.id, this.addSpan(this.newKey(), span.id, span).key);
    }
    for (const link of annotation.links) {
      const [source, target] = [keys.get(link.source), keys.get(link.target)];
      this.addLink(this.newKey(), link.id, source ?? null, target ?? null, link.kind);
    }
  }

  newKey() {
    this.#nextKey += 1;
    return `k${this.#nextKey}`;
  }

  keyOfSpan(id) {
    for (const span of this.spans.values()) if (span.id === id) return span.key;
    return null;
  }

  keyOfLink(id) {
    for (const link of this.links.values()) if (link.id === id) return link.key;
    return null;
  }

  addSpan(key, id, { start, end, label, attributes = {}, note = "" }) {
    const span = { key, id, start, end, label, attributes: { ...attributes }, note };
    this.spans.set(key, span);
    return span;
  }

  updateSpan(key, changes) {
    const span = this.spans.get(key);
    if (changes.label !== undefined) span.label = changes.label;
    if (changes.attributes !== undefined) span.attributes = { ...changes.attributes };
    if (changes.note !== undefined) span.note = changes.note;
    return span;
  }

  /** Remove a span and the links touching it; returns those links. */
  removeSpan(key) {
    const removed = this.linksOf(key);
    for (const link of removed) this.links.delete(link.key);
    this.spans.delete(key);
    return removed;
  }

  addLink(key, id, source, target, kind) {
    if (source === null || target === null) return null;
    const link = { key, id, source, target, kind };
    this.links.set(key, link);
    return link;
  }

  removeLink(key) {
    this.links.delete(key);
  }

  linksOf(spanKey) {
    return [...this.links.values()].filter(
      (link) => link.source === spanKey || link.target === spanKey,
    );
  }

  hasLink(source, target, kind) {
    return [...this.links.values()].some(
      (link) => link.source === source && link.target === target && link.kind === kind,
    );
  }

  /** Spans in reading order: by start, longer first, then by key. */
  ordered() {
    return [...this.spans.values()].sort(
      (a, b) => a.start - b.start || b.end - a.end || a.key.localeCompare(b.key),
    );
  }

  /** Once the server has named a created span or link, use its id. */
  rename(temporary, id) {
    for (const item of [...this.spans.values(), ...this.links.values()]) {
      if (item.id === temporary) item.id = id;
    }
  }

  /** Show a request that is queued but not yet saved (after a reload). */
  replay({ method, path, body, tempId }) {
    if (method === "POST" && path === "spans") {
      this.addSpan(this.newKey(), tempId, body);
    } else if (method === "PATCH") {
      const key = this.keyOfSpan(spanIdFromPath(path, "spans"));
      if (key) this.updateSpan(key, body);
    } else if (method === "DELETE" && path.startsWith("spans/")) {
      const key = this.keyOfSpan(spanIdFromPath(path, "spans"));
      if (key) this.removeSpan(key);
    } else if (method === "POST" && path === "links") {
      const source = this.keyOfSpan(body.source);
      const target = this.keyOfSpan(body.target);
      this.addLink(this.newKey(), tempId, source, target, body.kind);
    } else if (method === "DELETE" && path.startsWith("links/")) {
      const key = this.keyOfLink(spanIdFromPath(path, "links"));
      if (key) this.removeLink(key);
    } else if (method === "POST" && /^suggestions\/[^/]+\/accept$/.test(path)) {
      // An accepted suggestion: its span, with what the page sent along.
      this.addSpan(this.newKey(), tempId, body);
    } else if (method === "DELETE" && /^suggestions\/[^/]+\/decision$/.test(path)) {
      // An undone accept: its span goes (the server deletes it with the decision).
      const { start, end, label } = body.suggestion ?? {};
      const span = [...this.spans.values()].find(
        (s) => s.start === start && s.end === end && s.label === label,
      );
      if (body.decision === "accepted" && span) this.removeSpan(span.key);
    } else if (method === "POST" && path === "status") {
      this.status = body.status;
    }
  }
}

/** The link kind allowed from a span labelled `source` to one labelled `target`. */
export function linkKind(rules, source, target) {
  for (const [kind, pairs] of Object.entries(rules)) {
    if (pairs.some(([from, to]) => from === source && to === target)) return kind;
  }
  return null;
}

/** Whether relabelling a span keeps every link it takes part in allowed. */
export function labelKeepsLinks(state, rules, key, label) {
  return state.linksOf(key).every((link) => {
    const source = link.source === key ? label : state.spans.get(link.source).label;
    const target = link.target === key ? label : state.spans.get(link.target).label;
    return (rules[link.kind] || []).some(([a, b]) => a === source && b === target);
  });
}
