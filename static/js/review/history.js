// The decision history table: newest first, what each decision changed,
// whether it is in effect, and the undo/redo it allows.

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/**
 * The state column of one row: in effect, undone (by whom), what an undo or
 * redo row took back, and what stands in the way. ``when`` formats a time.
 */
export function historyState(entry, when) {
  if (entry.kind === "undo") return `takes back #${entry.target ? entry.target.id : "?"}`;
  const parts = [];
  if (entry.kind === "redo" && entry.target) parts.push(`re-applies #${entry.target.id}`);
  if (entry.undone_by) {
    parts.push(`undone by ${entry.undone_by.by || "?"}, ${when(entry.undone_by.at)}`);
  } else if (entry.blocked_by.length) {
    parts.push(`in effect; to undo it, undo ${entry.blocked_by.join(", ")} first`);
  } else {
    parts.push("in effect");
  }
  return parts.join("; ");
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "?";
}

function historyButton(text, label, action) {
  const button = element("button", text, text.toLowerCase());
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.addEventListener("click", action);
  return button;
}

function actionsCell(entry, state, actions) {
  const cell = element("td");
  const name = `${entry.action} by ${entry.by || "?"} (#${entry.id})`;
  if (entry.can_undo) cell.append(historyButton("Undo", `Undo ${name}`, () => actions.undo(entry)));
  if (state.redo && state.redo.id === entry.id) {
    const redo = historyButton("Redo", `Redo ${name}`, actions.redo);
    redo.disabled = !state.redo.can_redo;
    cell.append(redo);
  }
  return cell;
}

function row(entry, state, actions) {
  const tr = element("tr", null, `decision kind-${entry.kind}`);
  tr.dataset.id = String(entry.id);
  if (entry.undone_by) tr.classList.add("undone");
  const action = entry.kind === "undo" && entry.target ? `undo ${entry.target.action}` : entry.action;
  tr.append(
    element("td", entry.id, "num"),
    element("td", when(entry.at)),
    element("td", entry.by || "?"),
    element("td", action),
    element("td", entry.summary),
    element("td", historyState(entry, when), "state"),
    actionsCell(entry, state, actions),
  );
  return tr;
}

/** Fill the history table's body; ``actions`` {undo(entry), redo()}. */
export function renderHistory(body, state, actions) {
  body.replaceChildren(...state.history.map((entry) => row(entry, state, actions)));
  if (!state.history.length) {
    const empty = element("td", "No decision yet.");
    empty.colSpan = 7;
    const tr = element("tr");
    tr.append(empty);
    body.append(tr);
  }
}
