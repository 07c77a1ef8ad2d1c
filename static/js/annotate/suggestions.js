/**
 * Suggestions on the annotation page: fetched from the server, drawn in the
 * text (by the page's DocumentView, as dashed marks titled and tagged with
 * the proposed label) and listed in the side panel, one button each, so Tab
 * and Shift+Tab walk them. On a focused suggestion: Enter or Y accepts it, N,
 * Delete or Backspace rejects it, A accepts every suggestion of its label
 * (also a button per label above the list).
 *
 * Accept and reject are steps of the page's Editor (annotate/editor.js):
 * saved through the save queue like every write, so they carry the
 * assignment version and survive reloads and 409s the same way, and undone
 * and redone with the page's history (Ctrl+Z, Ctrl+Shift+Z): undo forgets the
 * decision on the server, deletes an accepted span, and hands the suggestion
 * back here (offer). An accepted suggestion becomes the annotator's own span
 * (the server stores it with origin "suggested"), drawn and edited like any
 * span.
 *
 * Everything is built with textContent and properties, never HTML strings.
 */

import { READ_ONLY } from "../lib/editlock.js";
import { requestJson } from "../lib/http.js";
import {
  countByLabel,
  neighbourOf,
  pendingAnswers,
  placeOf,
  scoreText,
  shownSuggestions,
} from "../lib/suggestionlist.js";

function element(tag, properties = {}, children = []) {
  const made = Object.assign(document.createElement(tag), properties);
  made.append(...children);
  return made;
}

/**
 * @param {{api: string, text: string, index: object, ui: object,
 *   state: object, session: object, displayName: (name: string) => string,
 *   classOf: (name: string) => string, excerpt: Function,
 *   refuseEdit: () => boolean, showMessage: Function, draw: () => void}} context
 */
export class Suggestions {
  constructor(context) {
    Object.assign(this, context);
    /** Shown suggestions, in text order. */
    this.items = [];
    /** id → its <li> in the side list. */
    this.rows = new Map();
    this.loaded = false;
    this.#listen(this.ui.suggestionList);
  }

  /**
   * One listener of each kind on the list, not four closures on each of
   * 2,000 rows built after every fetch.
   */
  #listen(list) {
    const idOf = (target) =>
      target.closest?.("li")?.querySelector("button[data-suggestion]")?.dataset.suggestion;
    list.addEventListener("click", (event) => {
      const button = event.target.closest?.("button.suggestion-accept, button.suggestion-reject");
      const id = button && idOf(button);
      if (!id) return;
      if (button.classList.contains("suggestion-accept")) this.accept(id);
      else this.reject(id);
    });
    list.addEventListener("focusin", (event) => {
      const id = event.target.dataset?.suggestion;
      if (id) this.#showFocused(id);
    });
    list.addEventListener("focusout", (event) => {
      if (event.target.dataset?.suggestion) this.#showFocused(null);
    });
  }

  /** Fetch the caller's suggestions (again), then redraw. */
  async load() {
    const response = await requestJson(`${this.api}/suggestions`).catch(() => null);
    if (response?.status !== 200) return;
    const pending = this.session.queue ? this.session.queue.pending() : [];
    const { answered, undone } = pendingAnswers(pending);
    const found = [...response.body.suggestions, ...undone];
    this.items = shownSuggestions(found, this.index, answered);
    this.loaded = true;
    this.render();
    this.draw();
  }

  /** What the text shows: spans-shaped items ({key, start16, end16, label}). */
  shown() {
    return this.items;
  }

  /**
   * Leave out suggestions the annotator has drawn as spans of their own (the
   * server does the same on the next fetch); call before each redraw.
   */
  dropDrawn() {
    if (this.items.length === 0) return;
    const own = new Set([...this.state.spans.values()].map((s) => `${s.start}:${s.end}:${s.label}`));
    const drawn = this.items.filter((s) => own.has(`${s.start}:${s.end}:${s.label}`));
    if (drawn.length === 0) return;
    const next = this.#remove(drawn.map((s) => s.id));
    this.#unlist(drawn);
    if (next) this.#focus(next);
  }

  isKey(key) {
    return typeof key === "string" && key.startsWith("s-");
  }

  /** How a suggestion looks in the text: dashed, tagged "label?" (see CSS). */
  look(item) {
    const name = this.displayName(item.label);
    return {
      className: `suggestion ${this.classOf(item.label)}`,
      title: `Suggested: ${name} (score ${scoreText(item.score)}, ${item.suggester}) — ` +
        "pick it in the Suggestions list: Enter accepts, N rejects",
      tag: `${name}?`,
    };
  }

  // ---- the side list ----------------------------------------------------------

  /** Build the whole list (after a fetch). */
  render() {
    const focusedId = this.focusedId();
    this.rows = new Map(this.items.map((item) => [item.id, this.#listItem(item)]));
    this.ui.suggestionList.replaceChildren(...this.rows.values());
    this.#renderSummary();
    this.#disableIfReadOnly(this.ui.suggestionList.querySelectorAll(".suggestion-actions button"));
    if (focusedId) this.#focus(focusedId);
  }

  /** The count, the per-label buttons and the "none" line. */
  #renderSummary() {
    const { suggestionCount, suggestionLabels } = this.ui;
    suggestionCount.textContent = String(this.items.length);
    suggestionLabels.replaceChildren(
      ...[...countByLabel(this.items)].map(([label, count]) => {
        const button = element("button", {
          type: "button",
          className: `accept-label ${this.classOf(label)}`,
          textContent: `Accept all ${this.displayName(label)} (${count})`,
        });
        button.dataset.label = label;
        button.addEventListener("click", () => this.acceptLabel(label));
        return button;
      }),
    );
    this.ui.suggestionEmpty.hidden = !this.loaded || this.items.length > 0;
    this.#disableIfReadOnly(suggestionLabels.querySelectorAll("button"));
  }

  /** Another tab edits this document: no accepting here (session.js re-enables). */
  #disableIfReadOnly(buttons) {
    const readOnly = this.ui.root.dataset.role === READ_ONLY;
    for (const button of buttons) button.disabled = readOnly;
  }

  #listItem(item) {
    const name = this.displayName(item.label);
    const main = element("button", { type: "button", className: "suggestion-item" }, [
      element("span", {
        className: `suggestion-item-label ${this.classOf(item.label)}`,
        textContent: `${name}?`,
      }),
      " ",
      element("span", {
        className: "suggestion-item-text",
        textContent: this.excerpt(this.text, item.start16, item.end16),
      }),
      " ",
      element("span", {
        className: "suggestion-item-meta",
        textContent: `score ${scoreText(item.score)} · ${item.suggester}` +
          (item.version ? ` ${item.version}` : ""),
      }),
    ]);
    main.dataset.suggestion = item.id;
    main.setAttribute("aria-keyshortcuts", "Enter Y N A");
    // Mouse users: accept and reject beside it, left out of the Tab order
    // (Tab walks the suggestions; the keys do what these buttons do). Their
    // clicks and the row's focus are handled on the list (#listen).
    const accept = element("button", {
      type: "button",
      className: "suggestion-accept",
      textContent: "Accept",
      tabIndex: -1,
      title: `Accept: make it your ${name} span (Enter or Y)`,
    });
    const reject = element("button", {
      type: "button",
      className: "suggestion-reject",
      textContent: "Reject",
      tabIndex: -1,
      title: "Reject: not shown to you again (N)",
    });
    return element("li", {}, [main, element("span", { className: "suggestion-actions" }, [
      accept,
      reject,
    ])]);
  }

  button(id) {
    return this.rows.get(id)?.firstElementChild ?? null;
  }

  /** The suggestion whose row has focus (its button, or Accept/Reject beside it). */
  focusedId() {
    const row = document.activeElement?.closest?.("li");
    if (!row || row.parentElement !== this.ui.suggestionList) return null;
    return row.querySelector("button[data-suggestion]")?.dataset.suggestion ?? null;
  }

  /**
   * Focus the suggestion's list button (from a click on it in the text),
   * opening the side panel first where it is folded away (phones).
   */
  focus(key) {
    const button = this.button(key.slice(2));
    if (button && !button.checkVisibility() && !this.ui.panel.classList.contains("open")) {
      this.ui.panelToggle.click();
    }
    button?.focus();
  }

  #focus(id) {
    const button = this.button(id);
    if (button) button.focus();
  }

  /** Mark the focused suggestion in the text; call after every redraw. */
  showFocused() {
    this.#showFocused(this.focusedId());
  }

  #showFocused(id) {
    for (const old of this.ui.root.querySelectorAll(".mark.suggestion.current")) {
      old.classList.remove("current");
    }
    if (!id) return;
    const marks = this.ui.root.querySelectorAll(`.mark[data-key="s-${id}"]`);
    for (const mark of marks) mark.classList.add("current");
    marks[0]?.scrollIntoView({ block: "nearest" });
  }

  // ---- keys and actions ---------------------------------------------------------

  /** A plain key on a focused suggestion; true if used. */
  handleKey(key) {
    const id = this.focusedId();
    if (!id) return false;
    const lower = key.toLowerCase();
    if (key === "Enter" || lower === "y") this.accept(id);
    else if (lower === "n" || key === "Delete" || key === "Backspace") this.reject(id);
    else if (lower === "a") this.acceptLabel(this.items.find((s) => s.id === id)?.label);
    else return false;
    return true;
  }

  accept(id) {
    const item = this.items.find((s) => s.id === id);
    if (!item || this.refuseEdit()) return;
    const next = this.#remove([id]);
    const quote = this.#quote(item);
    this.session.editor.acceptSuggestions([item], this, `accept ${quote}`);
    this.#after(next, [item]);
    this.showMessage(`Accepted: ${quote} is your span now.`, "info");
  }

  reject(id) {
    const item = this.items.find((s) => s.id === id);
    if (!item || this.refuseEdit()) return;
    const next = this.#remove([id]);
    const quote = this.#quote(item);
    this.session.editor.rejectSuggestions([item], this, `reject ${quote}`);
    this.#after(next, [item]);
    this.showMessage(`Rejected: ${quote}.`, "info");
  }

  acceptLabel(label) {
    const chosen = this.items.filter((s) => s.label === label);
    if (chosen.length === 0 || this.refuseEdit()) return;
    const next = this.#remove(chosen.map((s) => s.id));
    const noun = chosen.length === 1 ? "suggestion" : "suggestions";
    const what = `${chosen.length} ${this.displayName(label)} ${noun}`;
    this.session.editor.acceptSuggestions(chosen, this, `accept ${what}`);
    this.#after(next, chosen);
    this.showMessage(`Accepted ${what}: they are your spans now.`, "info");
  }

  /** "Hedge “could”": the label and the words. */
  #quote(item) {
    const words = this.excerpt(this.text, item.start16, item.end16, 32);
    return `${this.displayName(item.label)} “${words}”`;
  }

  /**
   * Show `items` again, each in its place in text order (an undone accept or
   * reject); the first gets focus if the list or nothing had it. The page
   * redraws the text after the undo.
   */
  offer(items) {
    const known = new Set(this.items.map((s) => s.id));
    const back = items.filter((s) => !known.has(s.id));
    for (const item of back) {
      const at = placeOf(this.items, item);
      const row = this.#listItem(item);
      const before = this.items[at] ? this.rows.get(this.items[at].id) : null;
      this.ui.suggestionList.insertBefore(row, before ?? null);
      this.rows.set(item.id, row);
      this.items.splice(at, 0, item);
    }
    this.#renderSummary();
    this.#disableIfReadOnly(this.ui.suggestionList.querySelectorAll(".suggestion-actions button"));
    const active = document.activeElement;
    const idle = active === document.body || active === this.ui.suggestionHeading;
    if (back.length && (idle || this.ui.suggestionList.contains(active))) {
      this.#focus(back[0].id);
    }
  }

  /** Take `items` off the list again (a redone accept or reject). */
  withdraw(items) {
    const next = this.#remove(items.map((s) => s.id));
    this.#after(next, items);
  }

  /** Drop `ids` from view; the id to focus after them (if one had focus). */
  #remove(ids) {
    const focused = this.focusedId();
    const gone = new Set(ids);
    const order = this.items.map((s) => s.id).filter((id) => id === focused || !gone.has(id));
    this.items = this.items.filter((s) => !gone.has(s.id));
    if (!focused) return null;
    return gone.has(focused) ? neighbourOf(order, focused) : focused;
  }

  /**
   * Take `removed` out of the list and focus `next` if given. No redraw: the
   * Editor's step (or the undo or redo) has drawn the text already, once.
   */
  #after(next, removed) {
    const hadFocus = this.ui.suggestionList.contains(document.activeElement);
    this.#unlist(removed);
    if (next) this.#focus(next);
    else if (hadFocus || document.activeElement === document.body) {
      this.ui.suggestionHeading.focus();
    }
  }

  #unlist(removed) {
    for (const item of removed) {
      this.rows.get(item.id)?.remove();
      this.rows.delete(item.id);
    }
    this.#renderSummary();
  }
}
