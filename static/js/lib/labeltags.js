/**
 * Which spans show their label's name where, in one paragraph of the text.
 *
 * A span gets one tag, at its start, in the paragraph where it starts: a
 * span that runs on into the next paragraphs is not tagged again. Spans that
 * start at the same place get their tags side by side, the outer (longer)
 * span first, the order in which the page nests their elements, so every tag
 * stays readable however the spans overlap. Long names are shortened.
 *
 * Plain ES module, no DOM: works in the browser and in Node.
 */

export const TAG_LENGTH = 16;

/**
 * Tags of the spans ({key, start16, end16}, UTF-16) that start inside
 * [from, to): a Map from UTF-16 offset to span keys, outer span first.
 */
export function tagsAt(spans, from, to) {
  const starting = spans
    .filter((span) => span.start16 >= from && span.start16 < to)
    .sort(
      (a, b) =>
        a.start16 - b.start16 || b.end16 - a.end16 || String(a.key).localeCompare(b.key),
    );
  const tags = new Map();
  for (const span of starting) {
    if (!tags.has(span.start16)) tags.set(span.start16, []);
    tags.get(span.start16).push(span.key);
  }
  return tags;
}

const CHARACTERS = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Tag texts already made: a page has a few labels and thousands of spans. */
const MADE = new Map();

/** A label's name for a tag: at most `length` characters, never a split one. */
export function tagText(name, length = TAG_LENGTH) {
  const key = `${length}\u0000${name}`;
  let text = MADE.get(key);
  if (text === undefined) {
    const characters = Array.from(CHARACTERS.segment(name), (part) => part.segment);
    text = characters.length <= length ? name : `${characters.slice(0, length - 1).join("")}…`;
    if (MADE.size > 1000) MADE.clear(); // label names are few; never grow unbounded
    MADE.set(key, text);
  }
  return text;
}
