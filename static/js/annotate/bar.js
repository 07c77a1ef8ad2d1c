/**
 * The sticky bar's own controls: the shortcut dialog's button, the "Label
 * tags" toggle (remembered in storage), "All links", the phone's panel
 * toggle, and the bar's height for the style sheet (the side panel sticks
 * just under the bar, the caret scrolls into view below it).
 */

const TAGS_KEY = "annotator-label-tags";

/**
 * @param {object} ui The page's controls.
 * @param {{storage: Storage | null, openKeys: () => void,
 *   drawLinks: () => void, redrawLinks: () => void}} actions
 */
export function wireBar(ui, { storage, openKeys, drawLinks, redrawLinks }) {
  ui.keysButton.addEventListener("click", openKeys);
  ui.showTags.checked = storage?.getItem(TAGS_KEY) !== "off";
  ui.root.classList.toggle("show-tags", ui.showTags.checked);
  ui.showTags.addEventListener("change", () => {
    ui.root.classList.toggle("show-tags", ui.showTags.checked);
    try {
      storage?.setItem(TAGS_KEY, ui.showTags.checked ? "on" : "off");
    } catch {
      // Storage full or disabled: the toggle still works for this page.
    }
    redrawLinks();
  });
  ui.showLinks.addEventListener("change", drawLinks);
  ui.panelToggle.addEventListener("click", () => {
    const open = !ui.panel.classList.contains("open");
    ui.panel.classList.toggle("open", open);
    ui.panelToggle.setAttribute("aria-expanded", String(open));
    if (open) ui.panel.scrollIntoView({ block: "start" });
  });
  const root = document.documentElement;
  new ResizeObserver(() => {
    root.style.setProperty("--bar-height", `${ui.bar.offsetHeight}px`);
  }).observe(ui.bar);
  new ResizeObserver(redrawLinks).observe(ui.root);
  // Paragraphs laid out late (content-visibility) may hold an end of an arc
  // that could not be drawn before.
  ui.root.addEventListener("contentvisibilityautostatechange", redrawLinks, true);
}
