/* A job's progress in its status box (a live region): a line of text and a
 * <progress> labelled by it, made once and updated in place, so a screen
 * reader hears the text change and the bar keeps its place. */

export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
}

// prefix: the ids' prefix ("export" → #export-progress-text, #export-progress).
export function showProgress(box, prefix, text, done, total) {
  let line = document.getElementById(`${prefix}-progress-text`);
  let bar = document.getElementById(`${prefix}-progress`);
  if (!line || !bar) {
    clear(box);
    line = document.createElement("p");
    line.id = `${prefix}-progress-text`;
    bar = document.createElement("progress");
    bar.id = `${prefix}-progress`;
    bar.setAttribute("aria-labelledby", line.id);
    box.append(line, bar);
  }
  line.textContent = text;
  if (total) {
    bar.max = total;
    bar.value = done;
  } else {
    bar.removeAttribute("value");
  }
  box.hidden = false;
}

export function showProblem(box, text) {
  clear(box);
  const line = document.createElement("p");
  line.className = "problems";
  line.textContent = text;
  box.append(line);
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

// The same page fetched again: the fresh copy of the elements with these ids
// replace the current ones (for a live region, its children only, so that
// the region itself stays and is heard).
export async function refreshFromPage(ids, live = []) {
  const response = await fetch(window.location.pathname, { credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ids) {
    const fresh = page.getElementById(id);
    const current = document.getElementById(id);
    if (!fresh || !current) continue;
    if (live.includes(id)) {
      clear(current);
      current.append(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
    } else {
      current.replaceWith(document.importNode(fresh, true));
    }
  }
}

// Mark the form's fields called ``name`` invalid (a 400 naming it), and no
// others.
export function markInvalid(form, name) {
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  if (!name) return;
  for (const field of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
    field.setAttribute("aria-invalid", "true");
  }
}
