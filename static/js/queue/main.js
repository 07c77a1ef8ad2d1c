/* The queue page: "Reopen" on a submitted or skipped document sets it back
 * to in progress through the annotation API (the server applies the reopen
 * rule and answers why not), then opens the document. */
import { postJson } from "../lib/http.js";

const message = document.getElementById("queue-message");

function say(text, state) {
  message.textContent = text;
  message.dataset.state = state;
}

async function reopen(button) {
  button.disabled = true;
  say("Reopening…", "busy");
  let answer;
  try {
    answer = await postJson(button.dataset.url, {
      status: "in_progress",
      reason: "",
      version: Number(button.dataset.version),
    });
  } catch {
    answer = { ok: false, body: { error: "the server could not be reached" } };
  }
  if (answer.ok || answer.status === 409) {
    // 409: changed in another tab; the page there loads the latest version.
    window.location.assign(button.dataset.next);
    return;
  }
  const field = answer.body?.field;
  let why = answer.body?.error ?? `error ${answer.status}`;
  if (field && why.startsWith(`${field}: `)) why = why.slice(field.length + 2);
  say(`Could not reopen: ${why}`, "error");
  // A refusal by the rule is final; anything else may be tried again.
  button.disabled = answer.status === 400;
}

for (const button of document.querySelectorAll("button.reopen-button")) {
  button.addEventListener("click", () => reopen(button));
}
