// Tests for static/js/lib/history.js. Run with: node --test tests/js/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { History } from "../../static/js/lib/history.js";

/** A document that is a list of words; each action appends one word. */
function editor(history) {
  const words = [];
  const add = (word) => {
    words.push(word);
    history.push({
      label: `add ${word}`,
      do: () => words.push(word),
      undo: () => words.pop(),
    });
  };
  return { words, add };
}

describe("History", () => {
  test("starts empty", () => {
    const history = new History();
    assert.equal(history.canUndo, false);
    assert.equal(history.canRedo, false);
    assert.equal(history.undo(), false);
    assert.equal(history.redo(), false);
  });

  test("push records without performing", () => {
    const history = new History();
    let calls = 0;
    history.push({ do: () => (calls += 1), undo: () => (calls -= 1) });
    assert.equal(calls, 0);
    assert.equal(history.canUndo, true);
  });

  test("undo and redo run in reverse and original order", () => {
    const history = new History();
    const { words, add } = editor(history);
    add("a");
    add("b");
    add("c");
    assert.equal(history.undo(), true);
    assert.equal(history.undo(), true);
    assert.deepEqual(words, ["a"]);
    assert.equal(history.canRedo, true);
    assert.equal(history.redoLabel, "add b");
    assert.equal(history.redo(), true);
    assert.deepEqual(words, ["a", "b"]);
    assert.equal(history.redo(), true);
    assert.deepEqual(words, ["a", "b", "c"]);
    assert.equal(history.redo(), false);
    assert.equal(history.undoLabel, "add c");
  });

  test("undo until empty then nothing more", () => {
    const history = new History();
    const { words, add } = editor(history);
    add("a");
    add("b");
    assert.equal(history.undo(), true);
    assert.equal(history.undo(), true);
    assert.equal(history.undo(), false);
    assert.deepEqual(words, []);
    assert.equal(history.canUndo, false);
  });

  test("a push after an undo clears the redo stack", () => {
    const history = new History();
    const { words, add } = editor(history);
    add("a");
    add("b");
    history.undo();
    add("x");
    assert.equal(history.canRedo, false);
    assert.equal(history.redo(), false);
    assert.deepEqual(words, ["a", "x"]);
    history.undo();
    history.undo();
    assert.deepEqual(words, []);
  });

  test("oldest actions fall off past the limit", () => {
    const history = new History({ limit: 3 });
    const { words, add } = editor(history);
    for (const word of ["a", "b", "c", "d", "e"]) add(word);
    let undone = 0;
    while (history.undo()) undone += 1;
    assert.equal(undone, 3);
    assert.deepEqual(words, ["a", "b"]);
    while (history.redo()) undone -= 1;
    assert.equal(undone, 0);
    assert.deepEqual(words, ["a", "b", "c", "d", "e"]);
  });

  test("what an undo records about itself is not recorded", () => {
    const history = new History();
    const words = [];
    // Like the page: every edit, even one made by undo or redo, pushes.
    const edit = (word, remove) => {
      if (remove) words.splice(words.indexOf(word), 1);
      else words.push(word);
      history.push({ do: () => edit(word, remove), undo: () => edit(word, !remove) });
    };
    edit("a", false);
    edit("b", false);
    history.undo();
    assert.deepEqual(words, ["a"]);
    assert.equal(history.canRedo, true);
    history.redo();
    assert.deepEqual(words, ["a", "b"]);
    history.undo();
    history.undo();
    assert.deepEqual(words, []);
    assert.equal(history.canUndo, false);
  });

  test("an undo that throws leaves the stacks alone", () => {
    const history = new History();
    history.push({
      do: () => {},
      undo: () => {
        throw new Error("server state unknown");
      },
    });
    assert.throws(() => history.undo(), /server state unknown/);
    assert.equal(history.canUndo, true);
    assert.equal(history.canRedo, false);
  });

  test("clear forgets both stacks", () => {
    const history = new History();
    const { add } = editor(history);
    add("a");
    add("b");
    history.undo();
    history.clear();
    assert.equal(history.canUndo, false);
    assert.equal(history.canRedo, false);
  });

  test("bad input is refused", () => {
    assert.throws(() => new History({ limit: 0 }), RangeError);
    assert.throws(() => new History({ limit: 1.5 }), RangeError);
    assert.throws(() => new History().push({ do: () => {} }), TypeError);
  });
});
