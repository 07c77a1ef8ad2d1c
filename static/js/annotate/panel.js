/**
 * The controls beside the text: label buttons, the list of spans in reading
 * order, and the details of the selected span (source, note, links).
 * Everything is built with textContent and properties, never HTML strings.
 */

const EXCERPT = 48;

export function excerpt(text, start16, end16) {
  const piece = text.slice(start16, end16).replace(/\s+/g, " ");
  return piece.length > EXCERPT ? `${piece.slice(0, EXCERPT - 1)}…` : piece;
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

/** The side list: one button per span, Tab/Shift+Tab walk them. */
export function renderSpanList(list, spans, describe, selectedKey) {
  const items = spans.map((span) => {
    const info = describe(span);
    const button = element("button", {
      type: "button",
      className: "span-item",
    }, [
      element("span", { className: `span-item-label ${info.className}`, textContent: info.label }),
      " ",
      element("span", { className: "span-item-text", textContent: info.text }),
    ]);
    button.dataset.key = span.key;
    if (span.key === selectedKey) button.setAttribute("aria-current", "true");
    return element("li", {}, [button]);
  });
  list.replaceChildren(...items);
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
