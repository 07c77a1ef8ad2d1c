/**
 * Every change the annotator makes, as one undoable step.
 *
 * A step changes the page's state and queues the matching API request; its
 * undo does the opposite the same way, so undo and redo are saved like any
 * other edit. No DOM here: the page redraws when `onChange` is called.
 */

import { labelKeepsLinks, linkKind } from "./state.js";

function spanBody({ start, end, label, attributes, note }) {
  return { start, end, label, attributes: { ...attributes }, note };
}

function pick(span, fields) {
  const picked = {};
  for (const field of fields) {
    picked[field] = field === "attributes" ? { ...span.attributes } : span[field];
  }
  return picked;
}

export class Editor {
  constructor({ state, queue, history, rules, newTempId, onChange }) {
    Object.assign(this, { state, queue, history, rules, newTempId, onChange });
  }

  #record(label, redo, undo) {
    this.history.push({ label, do: () => redo(), undo: () => undo() });
    this.onChange();
  }

  #send(request) {
    this.queue.enqueue(request);
  }

  /** A new span with code points [start, end); returns its key. */
  createSpan(start, end, label) {
    const key = this.state.newKey();
    const data = { start, end, label, attributes: {}, note: "" };
    this.#create(key, data, []);
    this.#record("create span", () => this.#create(key, data, []), () => this.#delete(key));
    return key;
  }

  deleteSpan(key) {
    const span = this.state.spans.get(key);
    const data = spanBody(span);
    const links = this.state.linksOf(key).map((link) => ({ ...link }));
    this.#delete(key);
    this.#record("delete span", () => this.#delete(key), () => this.#create(key, data, links));
  }

  /** Change label, attributes or note; returns an error message or null. */
  updateSpan(key, changes) {
    const span = this.state.spans.get(key);
    if (
      changes.label !== undefined &&
      !labelKeepsLinks(this.state, this.rules, key, changes.label)
    ) {
      return (
        "This span is linked, and its links do not allow that label: " +
        "remove the link first."
      );
    }
    const before = pick(span, Object.keys(changes));
    this.#update(key, changes);
    this.#record(
      "edit span",
      () => this.#update(key, changes),
      () => this.#update(key, before),
    );
    return null;
  }

  /** Link two spans with the kind the rules allow; returns an error or null. */
  link(source, target) {
    const from = this.state.spans.get(source);
    const to = this.state.spans.get(target);
    if (source === target) return "A span cannot point at itself.";
    const kind = linkKind(this.rules, from.label, to.label);
    if (!kind) {
      return `No link goes from “${from.label}” to “${to.label}”: ${this.allowedLinks()}.`;
    }
    if (this.state.hasLink(source, target, kind)) return "These spans are already linked.";
    const key = this.state.newKey();
    this.#link(key, source, target, kind);
    this.#record("link", () => this.#link(key, source, target, kind), () => this.#unlink(key));
    return null;
  }

  unlink(key) {
    const { source, target, kind } = this.state.links.get(key);
    this.#unlink(key);
    this.#record(
      "remove link",
      () => this.#unlink(key),
      () => this.#link(key, source, target, kind),
    );
  }

  /**
   * Accept suggestions, as one step however many: each becomes a span of the
   * page (a key of its own) and the queue sends its accept. Undo sends
   * DELETE suggestions/<id>/decision, which also deletes the accepted span on
   * the server, and hands the suggestions back to `view.offer`; redo accepts
   * them again (`view.withdraw` first). Returns the spans' keys.
   */
  acceptSuggestions(items, view, label) {
    const keys = items.map(() => this.state.newKey());
    const made = new Map(); // key → the span its accept put on the page
    const accept = () => {
      items.forEach((item, i) => made.set(keys[i], this.#accept(keys[i], item)));
    };
    const forget = () => {
      for (let i = items.length - 1; i >= 0; i -= 1) {
        this.#unaccept(keys[i], made.get(keys[i]));
        this.#forget(items[i], "accepted");
      }
      view.offer(items);
    };
    accept();
    this.#record(label, () => {
      view.withdraw(items);
      accept();
    }, forget);
    return keys;
  }

  /** Reject suggestions, as one step; undo offers them again (see above). */
  rejectSuggestions(items, view, label) {
    const reject = () => {
      for (const item of items) {
        this.#send({ method: "POST", path: `suggestions/${item.id}/reject`, body: {} });
      }
    };
    reject();
    this.#record(label, () => {
      view.withdraw(items);
      reject();
    }, () => {
      for (const item of [...items].reverse()) this.#forget(item, "rejected");
      view.offer(items);
    });
  }

  /** Submit or skip; not undoable (the page moves on). */
  setStatus(status, reason = "") {
    this.state.status = status;
    this.#send({ method: "POST", path: "status", body: { status, reason } });
  }

  allowedLinks() {
    const pairs = Object.entries(this.rules).flatMap(([kind, list]) =>
      list.map(([from, to]) => `${from} ${kind} ${to}`),
    );
    return `allowed: ${pairs.join(", ")}`;
  }

  #create(key, data, links) {
    const tempId = this.newTempId();
    this.state.addSpan(key, tempId, data);
    this.#send({ method: "POST", path: "spans", body: spanBody(data), tempId });
    for (const link of links) this.#link(link.key, link.source, link.target, link.kind);
  }

  #delete(key) {
    const { id } = this.state.spans.get(key);
    this.state.removeSpan(key);
    this.#send({ method: "DELETE", path: `spans/${id}`, body: {} });
  }

  #accept(key, item) {
    const { start, end, label } = item;
    const tempId = this.newTempId();
    const span = this.state.addSpan(key, tempId, { start, end, label });
    // start/end/label only let a reload show the span before it is saved
    // (AnnotationState.replay); the server takes them from the suggestion.
    this.#send({
      method: "POST",
      path: `suggestions/${item.id}/accept`,
      body: { start, end, label },
      tempId,
    });
    return span;
  }

  /**
   * Take an accepted span off the page. The server deletes the span the
   * accept made along with the decision; a span under the same key that is
   * another one (an undone delete re-created it: a new object, and on SQLite
   * maybe even the same server id) is deleted like any span.
   */
  #unaccept(key, accepted) {
    const span = this.state.spans.get(key);
    if (!span) return;
    if (span === accepted) this.state.removeSpan(key);
    else this.#delete(key);
  }

  /**
   * Forget the `decision` ("accepted" or "rejected") on `item`; the server
   * reads only the version, the rest lets a reload show the undo before it
   * is saved (AnnotationState.replay, lib/suggestionlist.js).
   */
  #forget(item, decision) {
    const { id, start, end, label, score, suggester, version } = item;
    this.#send({
      method: "DELETE",
      path: `suggestions/${id}/decision`,
      body: { decision, suggestion: { id, start, end, label, score, suggester, version } },
    });
  }

  #update(key, changes) {
    const span = this.state.updateSpan(key, changes);
    const body = pick(span, Object.keys(changes));
    this.#send({ method: "PATCH", path: `spans/${span.id}`, body });
  }

  #link(key, source, target, kind) {
    const tempId = this.newTempId();
    this.state.addLink(key, tempId, source, target, kind);
    const body = {
      source: this.state.spans.get(source).id,
      target: this.state.spans.get(target).id,
      kind,
    };
    this.#send({ method: "POST", path: "links", body, tempId });
  }

  #unlink(key) {
    const { id } = this.state.links.get(key);
    this.state.removeLink(key);
    this.#send({ method: "DELETE", path: `links/${id}`, body: {} });
  }
}
