// Tests for static/js/lib/editlock.js against a fake Web Locks manager shared
// by several "tabs". Run with: node --test tests/js/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  claimEditing,
  EDITING,
  hasLocks,
  READ_ONLY,
  UNGUARDED,
} from "../../static/js/lib/editlock.js";

const NAME = "annotator-save:1:2:3";

/**
 * Exclusive locks as a browser keeps them for one origin: a holder keeps a
 * lock until its callback's promise settles or its tab closes; waiters are
 * granted in order. Each tab sees the manager through `tab()`.
 */
class FakeBrowser {
  held = new Map(); // name -> { tab }
  waiting = []; // { name, tab, callback, resolve, reject }

  tab() {
    const browser = this;
    const tab = {
      closed: false,
      request(name, options, callback) {
        if (typeof options === "function") [options, callback] = [{}, options];
        return browser.#request(tab, name, options, callback);
      },
      close() {
        tab.closed = true;
        browser.waiting = browser.waiting.filter((w) => w.tab !== tab);
        for (const [name, holder] of browser.held) {
          if (holder.tab === tab) browser.#release(name);
        }
      },
    };
    return tab;
  }

  #request(tab, name, { ifAvailable = false }, callback) {
    return new Promise((resolve, reject) => {
      if (!this.held.has(name)) {
        this.#grant({ name, tab, callback, resolve, reject });
      } else if (ifAvailable) {
        Promise.resolve(callback(null)).then(resolve, reject);
      } else {
        this.waiting.push({ name, tab, callback, resolve, reject });
      }
    });
  }

  #grant(request) {
    const { name, tab, callback, resolve, reject } = request;
    this.held.set(name, { tab });
    let result;
    try {
      result = Promise.resolve(callback({ name, mode: "exclusive" }));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(resolve, reject).finally(() => {
      if (this.held.get(name)?.tab === tab) this.#release(name);
    });
  }

  #release(name) {
    this.held.delete(name);
    const next = this.waiting.findIndex((w) => w.name === name);
    if (next >= 0) this.#grant(this.waiting.splice(next, 1)[0]);
  }

  holder(name) {
    return this.held.get(name)?.tab ?? null;
  }
}

/** Let promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function roles() {
  const seen = [];
  return { seen, onRole: (role) => seen.push(role) };
}

describe("claimEditing", () => {
  test("the first tab on a document edits and keeps the lock", async () => {
    const browser = new FakeBrowser();
    const tab = browser.tab();
    const first = roles();
    claimEditing({ locks: tab, name: NAME, onRole: first.onRole });
    await settle();
    assert.deepEqual(first.seen, [EDITING]);
    await settle();
    assert.equal(browser.holder(NAME), tab);
  });

  test("a second tab is read-only while the first is open", async () => {
    const browser = new FakeBrowser();
    const [a, b] = [browser.tab(), browser.tab()];
    const first = roles();
    const second = roles();
    claimEditing({ locks: a, name: NAME, onRole: first.onRole });
    await settle();
    claimEditing({ locks: b, name: NAME, onRole: second.onRole });
    await settle();
    assert.deepEqual(first.seen, [EDITING]);
    assert.deepEqual(second.seen, [READ_ONLY]);
    assert.equal(browser.holder(NAME), a);
  });

  test("the read-only tab takes over when the editing tab closes", async () => {
    const browser = new FakeBrowser();
    const [a, b] = [browser.tab(), browser.tab()];
    const second = roles();
    claimEditing({ locks: a, name: NAME, onRole: () => {} });
    await settle();
    claimEditing({ locks: b, name: NAME, onRole: second.onRole });
    await settle();
    a.close();
    await settle();
    assert.deepEqual(second.seen, [READ_ONLY, EDITING]);
    assert.equal(browser.holder(NAME), b);
  });

  test("three tabs take over one after another, in order", async () => {
    const browser = new FakeBrowser();
    const tabs = [browser.tab(), browser.tab(), browser.tab()];
    const seen = tabs.map(() => roles());
    for (const [i, tab] of tabs.entries()) {
      claimEditing({ locks: tab, name: NAME, onRole: seen[i].onRole });
      await settle();
    }
    tabs[0].close();
    await settle();
    assert.deepEqual(
      seen.map((s) => s.seen),
      [[EDITING], [READ_ONLY, EDITING], [READ_ONLY]],
    );
    tabs[1].close();
    await settle();
    assert.deepEqual(seen[2].seen, [READ_ONLY, EDITING]);
  });

  test("a read-only tab closed first never edits and frees its place", async () => {
    const browser = new FakeBrowser();
    const [a, b, c] = [browser.tab(), browser.tab(), browser.tab()];
    const [second, third] = [roles(), roles()];
    claimEditing({ locks: a, name: NAME, onRole: () => {} });
    await settle();
    claimEditing({ locks: b, name: NAME, onRole: second.onRole });
    claimEditing({ locks: c, name: NAME, onRole: third.onRole });
    await settle();
    b.close();
    a.close();
    await settle();
    assert.deepEqual(second.seen, [READ_ONLY]);
    assert.deepEqual(third.seen, [READ_ONLY, EDITING]);
  });

  test("other documents are not locked by this one", async () => {
    const browser = new FakeBrowser();
    const [a, b] = [browser.tab(), browser.tab()];
    const other = roles();
    claimEditing({ locks: a, name: NAME, onRole: () => {} });
    claimEditing({ locks: b, name: "annotator-save:1:9:3", onRole: other.onRole });
    await settle();
    assert.deepEqual(other.seen, [EDITING]);
  });

  test("an error in the page's callback does not release the lock", async () => {
    const browser = new FakeBrowser();
    const [a, b] = [browser.tab(), browser.tab()];
    const second = roles();
    const uncaught = [];
    claimEditing({
      locks: a,
      name: NAME,
      onRole: () => {
        throw new Error("page broke");
      },
      onError: (error) => uncaught.push(error.message),
    });
    await settle();
    claimEditing({ locks: b, name: NAME, onRole: second.onRole });
    await settle();
    assert.deepEqual(uncaught, ["page broke"]);
    assert.equal(browser.holder(NAME), a);
    assert.deepEqual(second.seen, [READ_ONLY]);
  });
});

describe("without Web Locks", () => {
  for (const [what, locks] of [
    ["undefined (old browser, insecure context)", undefined],
    ["null", null],
    ["an object without request()", {}],
  ]) {
    test(`every tab edits unguarded when locks is ${what}`, () => {
      const seen = roles();
      assert.equal(hasLocks(locks), false);
      claimEditing({ locks, name: NAME, onRole: seen.onRole });
      assert.deepEqual(seen.seen, [UNGUARDED]);
    });
  }

  test("a lock manager that rejects the request leaves the tab unguarded", async () => {
    const seen = roles();
    const locks = { request: () => Promise.reject(new Error("SecurityError")) };
    claimEditing({ locks, name: NAME, onRole: seen.onRole });
    await settle();
    assert.deepEqual(seen.seen, [UNGUARDED]);
  });

  test("a lock manager that throws leaves the tab unguarded", () => {
    const seen = roles();
    const locks = {
      request: () => {
        throw new Error("SecurityError");
      },
    };
    claimEditing({ locks, name: NAME, onRole: seen.onRole });
    assert.deepEqual(seen.seen, [UNGUARDED]);
  });

  test("a refused wait keeps the tab read-only", async () => {
    const seen = roles();
    const locks = {
      request(name, options, callback) {
        if (typeof options === "function") return Promise.reject(new Error("AbortError"));
        return Promise.resolve(callback(null));
      },
    };
    claimEditing({ locks, name: NAME, onRole: seen.onRole });
    await settle();
    assert.deepEqual(seen.seen, [READ_ONLY]);
  });
});

test("a name and a callback are required", () => {
  assert.throws(() => claimEditing({ locks: undefined, name: "", onRole: () => {} }), TypeError);
  assert.throws(() => claimEditing({ locks: undefined, name: NAME }), TypeError);
});
