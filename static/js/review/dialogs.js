// The page's two dialogs: the keys (``?``), and the confirmation that
// adjudicating leaves groups undecided, naming how many.

import { KEY_HELP } from "./keys.js";

const $ = (id) => document.getElementById(id);

function fillKeys(body) {
  for (const [keys, what] of KEY_HELP) {
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = keys;
    const td = document.createElement("td");
    td.textContent = what;
    row.append(th, td);
    body.append(row);
  }
}

/** Wire the dialogs; ``hooks`` {undecided(), finish(n), cancelled(n)}. */
export function bindDialogs(hooks) {
  const keys = $("keys-dialog");
  const ask = $("adjudicate-dialog");
  fillKeys($("keys-body"));
  $("keys-close").addEventListener("click", () => keys.close());
  let asked = 0;
  $("adjudicate-confirm").addEventListener("click", () => {
    ask.close("confirm");
    hooks.finish(asked);
  });
  $("adjudicate-cancel").addEventListener("click", () => ask.close("cancel"));
  ask.addEventListener("cancel", () => { ask.returnValue = "cancel"; });
  ask.addEventListener("close", () => {
    if (ask.returnValue !== "confirm") hooks.cancelled(asked);
  });
  return {
    showKeys() {
      keys.showModal();
    },
    askAdjudicate() {
      asked = hooks.undecided();
      const groups = asked === 1 ? "1 group is" : `${asked} groups are`;
      $("adjudicate-question").textContent = `${groups} still undecided. Adjudicate anyway? They stay out of the gold layer and out of the quality figures.`;
      $("adjudicate-confirm").textContent = `Adjudicate with ${asked} undecided`;
      ask.returnValue = "";
      ask.showModal();
      $("adjudicate-confirm").focus();
    },
  };
}
