/**
 * The controls beside the text: label buttons, the list of spans in reading
 * order, and the details of the selected span (source, note, links).
 * Everything is built with textContent and properties, never HTML strings.
 */

const EXCERPT = 48;

/** The span's text on one line, shortened without splitting a surrogate pair. */
export function excerpt(text, start16, end16, length = EXCERPT) {
  const piece = text.slice(start16, Math.min(end16, start16 + 4 * length));
  const line = piece.replace(/\s+/g, " ");
  if (line.length <= length && end16 - start16 === piece.length) return line;
  let cut = length - 1;
  if (/[\uD800-\uDBFF]/.test(line[cut - 1] ?? "")) cut -= 1;
  return `${line.slice(0, cut)}…`;
}

function element(tag, properties = {}, children = []) {
  const made = Object.assign(document.createElement(tag), properties);
  made.append(...children);
  return made;
}

/** One <button> per label; its accessible name holds the name and the key. */
export function renderLabelBar(bar, labels, classOf, onPick) {
  for (const label of labels) {
    const button = element("button", {
      type: "button",
      className: `label-button ${classOf(label.name)}`,
      title: `${label.display_name} (key ${label.hotkey})`,
    }, [element("kbd", { textContent: label.hotkey }), ` ${label.display_name}`]);
    button.dataset.label = label.name;
    button.setAttribute("aria-keyshortcuts", label.hotkey);
    // The definition: a tooltip, and the description assistive technology
    // reads (the guideline drawer's entry, annotate/_guideline.html).
    if (label.definition) button.title += `: ${label.definition}`;
    if (document.getElementById(`label-definition-${label.name}`)) {
      button.setAttribute("aria-describedby", `label-definition-${label.name}`);
    }
    // Keep the text selection when the button is pressed with the mouse.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", (event) => onPick(label.name, event.altKey));
    bar.append(button);
  }
}

export function markPressedLabel(bar, label) {
  for (const button of bar.querySelectorAll("button[data-label]")) {
    button.setAttribute("aria-pressed", String(button.dataset.label === label));
  }
}

function spanItem(span, info) {
  const button = element("button", { type: "button", className: "span-item" }, [
    element("span", {
      className: `span-item-label ${info.className}`,
      textContent: info.label,
    }),
    " ",
    element("span", { className: "span-item-text", textContent: info.text }),
  ]);
  button.dataset.key = span.key;
  return element("li", {}, [button]);
}

/**
 * The side list: one button per span in reading order, so Tab and Shift+Tab
 * walk the spans. Updated in place: only changed spans get new items.
 */
export class SpanList {
  constructor(list, describe) {
    Object.assign(this, { list, describe, items: new Map() });
  }

  /** `spans` in reading order; `stale` keys were changed or removed. */
  update(spans, stale) {
    for (const key of stale) {
      this.items.get(key)?.remove();
      this.items.delete(key);
    }
    let cursor = this.list.firstElementChild;
    for (const span of spans) {
      let item = this.items.get(span.key);
      if (!item) {
        item = spanItem(span, this.describe(span));
        this.items.set(span.key, item);
      }
      if (item === cursor) cursor = cursor.nextElementSibling;
      else this.list.insertBefore(item, cursor);
    }
  }

  button(key) {
    return this.items.get(key)?.firstElementChild ?? null;
  }
}

export function renderSources(datalist, sources) {
  datalist.replaceChildren(...sources.map((value) => element("option", { value })));
}

/** Links of the selected span, each with a button to remove it. */
export function renderLinks(list, links, describeLink, onRemove) {
  const items = links.map((link) => {
    const remove = element("button", {
      type: "button",
      className: "link-remove",
      textContent: "Remove link",
    });
    remove.addEventListener("click", () => onRemove(link.key));
    return element("li", {}, [describeLink(link), " ", remove]);
  });
  if (items.length === 0) items.push(element("li", { textContent: "No links." }));
  list.replaceChildren(...items);
}
