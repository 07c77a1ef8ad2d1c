/**
 * The page's link to the server while it edits: the save queue and the
 * editor built on it, what the server's answers do to the page (conflicts,
 * refusals, an ended session), and the one-editing-tab rule (a second tab is
 * read-only until the first one closes). The page hands in what it shares:
 * its state, history, controls and how to redraw and speak to the annotator.
 */

import { READ_ONLY } from "../lib/editlock.js";
import { requestJson } from "../lib/http.js";
import { SaveQueue } from "../lib/savequeue.js";
import { Editor } from "./editor.js";

const STATUS_TEXT = {
  saved: "saved",
  saving: "saving",
  retrying: "not saved — retrying",
  [READ_ONLY]: "read-only",
};

/**
 * @param {{payload: object, ui: object, state: object, history: object,
 *   page: object, draw: () => void, showMessage: (text: string, tone?: string) => void,
 *   clearSelection: () => void, firstDraw: () => void}} context
 */
export function createSession(context) {
  const { payload, ui, state, history, page } = context;
  const draw = () => context.draw();
  const showMessage = (message, tone) => context.showMessage(message, tone);
  const clearSelection = () => context.clearSelection();
  const firstDraw = () => context.firstDraw();
  // After the server's state replaced the page's: fetch what depends on it.
  const afterReload = () => context.afterReload?.();
  let queue = null; // built once this tab may edit (see startEditing)
  let editor = null;

  function whenSaved() {
    if (queue.pending().length === 0 && queue.state === "saved") return Promise.resolve();
    return new Promise((resolve) => page.waiters.push(resolve));
  }

  // ---- saving -----------------------------------------------------------------

  function send({ method, path, body }) {
    return requestJson(`${payload.api}/${path}`, { method, body });
  }

  function showState(queueState) {
    ui.status.textContent = STATUS_TEXT[queueState] ?? queueState;
    ui.status.dataset.state = queueState;
    ui.status.dataset.pending = String(queue.pending().length);
    if (queueState !== "saved") return;
    if (page.refreshWhenSaved) reloadFromServer();
    for (const resolve of page.waiters.splice(0)) resolve();
  }

  function onApplied(request, body) {
    const created = body?.span ?? body?.link;
    if (request.tempId && created) state.rename(request.tempId, created.id);
    ui.status.dataset.pending = String(queue.pending().length);
  }

  function replaceState(annotation) {
    state.load(annotation);
    history.clear();
    clearSelection();
    draw();
    afterReload();
  }

  function onConflict(annotation) {
    page.setbacks += 1;
    if (annotation) replaceState(annotation);
    showMessage(
      "This document was changed in another tab or window. The latest saved " +
        "version is shown now; your last changes were not saved.",
    );
  }

  function onRejected(request, status, body) {
    page.setbacks += 1;
    // Show what the server kept; at once if nothing else waits (the queue may
    // report "saved" before telling us of the refusal).
    if (queue.pending().length === 0) reloadFromServer();
    else page.refreshWhenSaved = true;
    showMessage(`Not saved: ${body?.error ?? `the server answered ${status}`}`);
  }

  function onUnauthorized() {
    page.setbacks += 1;
    showMessage(
      "The server refused to save: your session may have ended. Log in again in " +
        "another tab; your changes are kept and will be sent.",
    );
  }

  async function fetchAnnotation() {
    const response = await send({ method: "GET", path: "annotation" }).catch(() => null);
    return response?.status === 200 ? response.body : null;
  }

  async function reloadFromServer() {
    page.refreshWhenSaved = false;
    const annotation = await fetchAnnotation();
    if (annotation && queue.pending().length === 0) {
      queue.setVersion(annotation.version);
      replaceState(annotation);
    }
  }

  function openStorage() {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }

  // ---- one editing tab ----------------------------------------------------------

  /** Controls that change the annotation; disabled while another tab edits. */
  function editControls() {
    return [
      ...ui.labelBar.querySelectorAll("button"),
      ...ui.links.querySelectorAll("button"),
      ui.source,
      ui.note,
      ui.linkButton,
      ui.deleteButton,
      ui.submit,
      ui.reopen,
      ui.skipOpen,
      ui.skipReason,
      ui.skipButton,
      ...ui.suggestionLabels.querySelectorAll("button"),
      ...ui.suggestionList.querySelectorAll(".suggestion-actions button"),
    ];
  }

  function showRole(role) {
    ui.root.dataset.role = role;
    ui.lockBanner.hidden = role !== READ_ONLY;
    for (const control of editControls()) control.disabled = role === READ_ONLY;
  }

  function showReadOnly() {
    showRole(READ_ONLY);
    ui.status.textContent = STATUS_TEXT[READ_ONLY];
    ui.status.dataset.state = READ_ONLY;
    ui.status.dataset.pending = "0";
  }

  /**
   * Builds the save queue, which restores what is pending in storage (left by
   * this tab before a reload, or by another tab that closed), and shows
   * `annotation` with those requests replayed on it. Only called while this
   * tab holds the document's lock (or where there are no locks).
   */
  function startEditing(annotation, role) {
    queue = new SaveQueue({
      storage: openStorage(),
      key: ui.root.dataset.queueKey,
      send,
      onState: showState,
      onConflict,
      onApplied,
      onRejected,
      onUnauthorized,
    });
    editor = new Editor({
      state,
      queue,
      history,
      rules: payload.link_rules,
      newTempId: () => queue.nextTempId(),
      onChange: () => draw(),
    });
    state.load(annotation);
    history.clear();
    const pending = queue.pending();
    for (const request of pending) state.replay(request);
    queue.setVersion(annotation.version);
    showRole(role);
    showState(pending.length ? "saving" : "saved");
    if (pending.length) queue.flush();
  }

  /** The editing tab has gone: edit here, from the server's latest state. */
  async function takeOver(role) {
    const annotation = await fetchAnnotation();
    clearSelection();
    startEditing(annotation ?? payload.annotation, role);
    // Offline: show what the page came with, and the server's state once the
    // queue has sent what the other tab left.
    if (!annotation) page.refreshWhenSaved = true;
    draw();
    afterReload();
    showMessage("The other tab was closed: you can edit this document here now.", "info");
  }

  function onRole(role) {
    const waited = ui.root.dataset.role === READ_ONLY;
    if (waited) takeOver(role);
    else if (role === READ_ONLY) showReadOnly();
    else startEditing(payload.annotation, role);
    if (!waited) firstDraw();
  }


  return {
    get queue() {
      return queue;
    },
    get editor() {
      return editor;
    },
    onRole,
    whenSaved,
    openStorage,
  };
}
