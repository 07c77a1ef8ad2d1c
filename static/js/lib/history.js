/**
 * Undo and redo for the annotation page.
 *
 * The caller performs an action, then records it with push({do, undo}).
 * undo() runs the newest action's undo and moves it to the redo stack; redo()
 * runs its do again and moves it back. Recording a new action after an undo
 * forgets what could have been redone. Past `limit` the oldest actions fall
 * off.
 *
 * While an undo or redo runs, push() ignores what the action records about
 * itself: the page's undo usually goes through the same code path as a user
 * edit, and that path pushes, which would otherwise clear the redo stack.
 *
 * Plain ES module, no DOM, no dependencies: works in the browser and in Node.
 */

/**
 * @typedef {object} Action
 * @property {() => void} do Performs the action again (redo).
 * @property {() => void} undo Reverts the action.
 * @property {string} [label] Shown to the user, e.g. "Undo: delete span".
 */

function checkAction(action) {
  if (typeof action?.do !== "function" || typeof action?.undo !== "function") {
    throw new TypeError("an action needs do and undo functions");
  }
}

export class History {
  #limit;
  #done = [];
  #undone = [];
  #replaying = false;

  /**
   * @param {{limit?: number}} [options] How many actions undo can reach.
   */
  constructor({ limit = 500 } = {}) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`limit must be a positive integer, not ${limit}`);
    }
    this.#limit = limit;
  }

  /**
   * Records an action the caller has already performed; does not call do.
   * Clears the redo stack. Ignored while an undo or redo is running.
   * @param {Action} action
   * @returns {boolean} Whether the action was recorded.
   */
  push(action) {
    checkAction(action);
    if (this.#replaying) return false;
    this.#done.push(action);
    if (this.#done.length > this.#limit) this.#done.shift();
    this.#undone = [];
    return true;
  }

  /**
   * Reverts the newest action. If its undo throws, the stacks stay as they
   * were and the error propagates.
   * @returns {boolean} False when there was nothing to undo.
   */
  undo() {
    return this.#move(this.#done, this.#undone, "undo");
  }

  /**
   * Performs the newest undone action again.
   * @returns {boolean} False when there was nothing to redo.
   */
  redo() {
    return this.#move(this.#undone, this.#done, "do");
  }

  /** Forgets every action. */
  clear() {
    this.#done = [];
    this.#undone = [];
  }

  /** @returns {boolean} */
  get canUndo() {
    return this.#done.length > 0;
  }

  /** @returns {boolean} */
  get canRedo() {
    return this.#undone.length > 0;
  }

  /** @returns {string | undefined} Label of the action undo() would revert. */
  get undoLabel() {
    return this.#done.at(-1)?.label;
  }

  /** @returns {string | undefined} Label of the action redo() would perform. */
  get redoLabel() {
    return this.#undone.at(-1)?.label;
  }

  #move(from, to, method) {
    const action = from.at(-1);
    if (!action || this.#replaying) return false;
    this.#replaying = true;
    try {
      action[method]();
    } finally {
      this.#replaying = false;
    }
    from.pop();
    to.push(action);
    return true;
  }
}
