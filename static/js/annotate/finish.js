/**
 * Finishing a document: Submit (also Ctrl+Enter) and Skip with its reason
 * dialog. Both save whatever the Source and Note fields hold, send the new
 * status through the save queue, and open the next document once everything
 * is saved, unless the server refused something meanwhile (then the page
 * stays, showing what was refused).
 */

/**
 * @param {{ui: object, session: object, page: object, draw: () => void,
 *   refuseEdit: () => boolean, refuseIfClosed: () => boolean,
 *   saveFields: () => void}} context
 */
export function createFinishing({ ui, session, page, draw, refuseEdit, refuseIfClosed, saveFields }) {
  async function finish(status, reason) {
    if (session.editor === null || refuseIfClosed()) return;
    saveFields();
    const setbacks = page.setbacks;
    session.editor.setStatus(status, reason);
    draw();
    ui.submit.disabled = true;
    await session.whenSaved();
    ui.submit.disabled = false;
    if (page.setbacks === setbacks) ui.nextForm.submit();
  }

  function openSkip() {
    if (refuseEdit()) return;
    ui.skipProblem.textContent = "";
    ui.skipDialog.showModal();
    ui.skipReason.focus();
  }

  function onSkip(event) {
    event.preventDefault();
    if (session.editor === null) return;
    const reason = ui.skipReason.value.trim();
    ui.skipReason.setAttribute("aria-invalid", String(!reason));
    if (!reason) {
      ui.skipProblem.textContent = "Say why you skip this document.";
      ui.skipReason.focus();
      return;
    }
    ui.skipDialog.close();
    finish("skipped", reason);
  }

  function wire() {
    ui.submit.addEventListener("click", () => finish("submitted", ""));
    ui.skipForm.addEventListener("submit", onSkip);
    ui.skipOpen.addEventListener("click", openSkip);
    ui.skipCancel.addEventListener("click", () => ui.skipDialog.close());
  }

  return { finish, wire };
}
