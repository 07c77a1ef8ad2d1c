// Labels as the project draws them: its colours (set as --lab-N custom
// properties through the CSSOM, which the strict CSP allows) and its
// underline styles, so colour is never the only difference; and the legend.

const SLOTS = 12;

export function labelLook(labels, root = document.documentElement) {
  const byName = new Map(labels.map((label, i) => [label.name, { ...label, slot: i % SLOTS }]));
  for (const label of byName.values()) {
    root.style.setProperty(`--lab-${label.slot}`, label.color);
  }
  return {
    classes(name) {
      const label = byName.get(name);
      return label ? `lab-${label.slot} u-${label.underline}` : "lab-x u-solid";
    },
    name(name) {
      return byName.get(name)?.display_name ?? name;
    },
    key(name) {
      return byName.get(name)?.hotkey ?? "?";
    },
  };
}

/** The legend: each label as its colour, underline and key, and the lanes. */
export function renderLegend(list, labels, look) {
  list.replaceChildren();
  for (const label of labels) {
    const item = document.createElement("li");
    const sample = document.createElement("span");
    sample.className = `mk legend-mark ${look.classes(label.name)}`;
    sample.textContent = label.display_name;
    const key = document.createElement("kbd");
    key.textContent = label.hotkey;
    const style = document.createElement("span");
    style.className = "hint";
    style.textContent = ` ${label.underline}`;
    item.append(sample, " ", key, style);
    list.append(item);
  }
}
