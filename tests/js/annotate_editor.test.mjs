// The annotation page's model: every edit queues the matching API request,
// and undo/redo queue the opposite ones. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { Editor } from "../../static/js/annotate/editor.js";
import { AnnotationState, labelKeepsLinks } from "../../static/js/annotate/state.js";
import { History } from "../../static/js/lib/history.js";

const RULES = { denies: [["denial", "claim"]] };

function setUp(annotation = { version: 1, status: "in_progress", spans: [], links: [] }) {
  const sent = [];
  let count = 0;
  const state = new AnnotationState(annotation);
  const history = new History();
  const editor = new Editor({
    state,
    queue: { enqueue: (request) => sent.push(request) },
    history,
    rules: RULES,
    newTempId: () => `tmp-${(count += 1)}`,
    onChange: () => {},
  });
  return { state, history, editor, sent };
}

const summary = (sent) => sent.map((r) => `${r.method} ${r.path}`);

test("create, relabel, undo and redo queue matching requests", () => {
  const { state, history, editor, sent } = setUp();
  const key = editor.createSpan(3, 9, "claim");
  assert.equal(editor.updateSpan(key, { label: "hedge" }), null);
  history.undo();
  assert.equal(state.spans.get(key).label, "claim");
  history.undo();
  assert.equal(state.spans.size, 0);
  history.redo();
  assert.deepEqual(summary(sent), [
    "POST spans",
    "PATCH spans/tmp-1",
    "PATCH spans/tmp-1",
    "DELETE spans/tmp-1",
    "POST spans",
  ]);
  assert.equal(sent.at(-1).tempId, "tmp-2");
  assert.deepEqual(sent[2].body, { label: "claim" });
  assert.equal(state.spans.get(key).id, "tmp-2");
});

test("undoing the deletion of a linked span restores the span and its link", () => {
  const { state, history, editor, sent } = setUp({
    version: 4,
    status: "in_progress",
    spans: [
      { id: 10, start: 0, end: 5, label: "claim", attributes: {}, note: "" },
      { id: 11, start: 8, end: 12, label: "denial", attributes: { source: "TASS" }, note: "n" },
    ],
    links: [{ id: 7, source: 11, target: 10, kind: "denies" }],
  });
  const claim = state.keyOfSpan(10);
  editor.deleteSpan(claim);
  assert.equal(state.links.size, 0);
  history.undo();
  assert.deepEqual(summary(sent), ["DELETE spans/10", "POST spans", "POST links"]);
  assert.deepEqual(sent[2].body, { source: 11, target: "tmp-1", kind: "denies" });
  assert.equal(state.links.size, 1);
  state.rename("tmp-1", 12);
  history.redo();
  assert.equal(summary(sent).at(-1), "DELETE spans/12");
});

test("links follow the rules, and a linked span keeps a label its links allow", () => {
  const { state, editor, sent } = setUp();
  const claim = editor.createSpan(0, 4, "claim");
  const hedge = editor.createSpan(5, 9, "hedge");
  assert.match(editor.link(hedge, claim), /allowed: denial denies claim/);
  editor.updateSpan(hedge, { label: "denial" });
  assert.equal(editor.link(hedge, claim), null);
  assert.match(editor.link(hedge, claim), /already linked/);
  assert.equal(labelKeepsLinks(state, RULES, claim, "hedge"), false);
  assert.match(editor.updateSpan(claim, { label: "hedge" }), /remove the link first/);
  assert.equal(summary(sent).filter((line) => line === "POST links").length, 1);
});

test("queued requests replayed after a reload show the same spans", () => {
  const { state: before, editor, sent } = setUp();
  const key = editor.createSpan(2, 6, "claim");
  editor.updateSpan(key, { attributes: { source: "Reuters" } });
  const other = editor.createSpan(8, 9, "hedge");
  editor.deleteSpan(other);
  const after = new AnnotationState({ version: 1, status: "in_progress", spans: [], links: [] });
  for (const request of sent) after.replay(request);
  const shape = (state) =>
    state.ordered().map(({ start, end, label, attributes }) => ({ start, end, label, attributes }));
  assert.deepEqual(shape(after), shape(before));
});
