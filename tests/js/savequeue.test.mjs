// Tests for static/js/lib/savequeue.js against an in-memory model of the
// annotation API (annotator/web/api.py). Run with: node --test tests/js/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { SaveQueue } from "../../static/js/lib/savequeue.js";

const KEY = "annotator:save:p1:d2:u3";

/** localStorage as a Map. */
class MemoryStorage {
  items = new Map();
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

/** Storage in a private window with the quota used up: everything throws. */
class BrokenStorage {
  getItem() {
    throw new Error("SecurityError: storage is disabled");
  }
  setItem() {
    throw new Error("QuotaExceededError");
  }
  removeItem() {
    throw new Error("SecurityError: storage is disabled");
  }
}

/** Timers the test fires by hand. */
function fakeTimers() {
  const timers = [];
  return {
    timers,
    setTimer: (callback, delay) => {
      const timer = { callback, delay };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      const index = timers.indexOf(timer);
      if (index >= 0) timers.splice(index, 1);
    },
    async fire() {
      const timer = timers.shift();
      assert.ok(timer, "a retry is scheduled");
      timer.callback();
      await settle();
      return timer.delay;
    },
  };
}

/** Lets every pending promise of the fake server and the queue run. */
function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The annotation API of one assignment, in memory: versions, ids, 409 on a
 * stale version, 400 with a field, 404 for unknown ids. `faults` scripts the
 * next answers: "offline" throws before the server sees the request, "lost"
 * applies it and then throws (the answer never arrives), an object is
 * returned as the response.
 */
function fakeServer({ version = 1 } = {}) {
  const server = {
    version,
    nextId: 40,
    spans: new Map(),
    links: new Map(),
    log: [],
    faults: [],
    inFlight: 0,
    maxInFlight: 0,
  };
  server.annotation = () => ({
    version: server.version,
    spans: [...server.spans.values()],
    links: [...server.links.values()],
  });
  server.send = async (request) => {
    server.inFlight += 1;
    server.maxInFlight = Math.max(server.maxInFlight, server.inFlight);
    try {
      await null;
      server.log.push(structuredClone(request));
      const fault = server.faults.shift();
      if (fault === "offline") throw new TypeError("Failed to fetch");
      if (fault && fault !== "lost") return fault;
      const response = answer(server, request);
      await null;
      if (fault === "lost") throw new TypeError("Failed to fetch");
      return response;
    } finally {
      server.inFlight -= 1;
    }
  };
  server.paths = () => server.log.map((r) => `${r.method} ${r.path}`);
  return server;
}

function answer(server, { method, path, body }) {
  if (body.version !== server.version) {
    return { status: 409, body: { error: "stale", annotation: server.annotation() } };
  }
  const [collection, rawId] = path.split("/");
  const id = rawId === undefined ? undefined : Number(rawId);
  if (rawId !== undefined && !Number.isInteger(id)) {
    return { status: 404, body: { error: "not found" } };
  }
  const route = ROUTES[`${method} ${collection}${rawId === undefined ? "" : "/id"}`];
  const response = route(server, body, id);
  if (response.status < 300) {
    server.version += 1;
    response.body.version = server.version;
  }
  return response;
}

const ROUTES = {
  "POST spans": (server, body) => {
    if (body.label === "bogus") return invalid("label");
    const span = { id: server.nextId++, start: body.start, end: body.end, label: body.label };
    server.spans.set(span.id, span);
    return { status: 201, body: { span } };
  },
  "PATCH spans/id": (server, body, id) => {
    const span = server.spans.get(id);
    if (!span) return notFound();
    Object.assign(span, { label: body.label ?? span.label });
    return { status: 200, body: { span } };
  },
  "DELETE spans/id": (server, body, id) => {
    if (!server.spans.delete(id)) return notFound();
    const gone = [...server.links.values()].filter((l) => l.source === id || l.target === id);
    for (const link of gone) server.links.delete(link.id);
    return { status: 200, body: { deleted_links: gone.map((l) => l.id) } };
  },
  "POST links": (server, body) => {
    if (!server.spans.has(body.source)) return invalid("source");
    if (!server.spans.has(body.target)) return invalid("target");
    const { source, target, kind } = body;
    const link = { id: server.nextId++, source, target, kind };
    server.links.set(link.id, link);
    return { status: 201, body: { link } };
  },
  "DELETE links/id": (server, body, id) =>
    server.links.delete(id) ? { status: 200, body: {} } : notFound(),
  "POST status": (server, body) => ({ status: 200, body: { status: body.status } }),
};

function invalid(field) {
  return { status: 400, body: { error: `${field} is invalid`, field } };
}

function notFound() {
  return { status: 404, body: { error: "not found" } };
}

/** A queue wired to `server`, recording what it reports. */
function makeQueue(server, options = {}) {
  const { storage = new MemoryStorage(), timers = fakeTimers(), ...rest } = options;
  const seen = { states: [], conflicts: [], applied: [], rejected: [], unauthorized: [] };
  const queue = new SaveQueue({
    storage,
    key: KEY,
    send: server.send,
    onState: (state) => seen.states.push(state),
    onConflict: (annotation) => seen.conflicts.push(annotation),
    onApplied: (request, body) => seen.applied.push({ request, body }),
    onRejected: (request, status, body, dropped) =>
      seen.rejected.push({ request, status, body, dropped }),
    onUnauthorized: (status, body) => seen.unauthorized.push({ status, body }),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    ...rest,
  });
  return { queue, seen, storage, timers };
}

const createSpan = (tempId, start = 0, label = "claim") => ({
  method: "POST",
  path: "spans",
  body: { start, end: start + 4, label, attributes: {}, note: "" },
  tempId,
});

describe("SaveQueue: order and versions", () => {
  test("requests go one at a time, in the order they were queued", async () => {
    const server = fakeServer();
    const { queue, seen } = makeQueue(server);
    queue.setVersion(1);
    queue.enqueue(createSpan(undefined, 0));
    queue.enqueue(createSpan(undefined, 10));
    queue.enqueue({ method: "POST", path: "status", body: { status: "done", reason: "" } });
    assert.equal(queue.state, "saving");
    await queue.flush();
    assert.equal(server.maxInFlight, 1);
    assert.deepEqual(server.paths(), ["POST spans", "POST spans", "POST status"]);
    assert.deepEqual(server.log.map((r) => r.body.start), [0, 10, undefined]);
    assert.deepEqual(seen.states, ["saving", "saved"]);
    assert.equal(seen.applied.length, 3);
    assert.deepEqual(queue.pending(), []);
  });

  test("a request queued while one is in flight waits its turn", async () => {
    const server = fakeServer();
    const { queue } = makeQueue(server);
    queue.setVersion(1);
    const first = queue.enqueue(createSpan(undefined, 0));
    await null;
    queue.enqueue({ method: "POST", path: "status", body: { status: "done" } });
    await first;
    assert.equal(server.maxInFlight, 1);
    assert.deepEqual(server.paths(), ["POST spans", "POST status"]);
    assert.equal(queue.state, "saved");
  });

  test("each write carries the version of the previous answer", async () => {
    const server = fakeServer({ version: 7 });
    const { queue } = makeQueue(server);
    assert.equal(queue.setVersion(7), true);
    queue.enqueue({ ...createSpan(), body: { ...createSpan().body, version: 1 } });
    queue.enqueue(createSpan(undefined, 10));
    await queue.flush();
    assert.deepEqual(server.log.map((r) => r.body.version), [7, 8]);
    assert.equal(queue.version, 9);
    assert.equal(server.spans.size, 2);
  });
});

describe("SaveQueue: temporary ids", () => {
  test("temporary ids become server ids in later paths and link ends", async () => {
    const server = fakeServer();
    const { queue, seen } = makeQueue(server);
    queue.setVersion(1);
    queue.enqueue(createSpan("tmp-1", 0));
    queue.enqueue(createSpan("tmp-2", 10));
    queue.enqueue({
      method: "POST",
      path: "links",
      body: { source: "tmp-1", target: "tmp-2", kind: "denies" },
      tempId: "tmp-3",
    });
    queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
    queue.enqueue({ method: "DELETE", path: "links/tmp-3", body: {} });
    queue.enqueue({ method: "DELETE", path: "spans/tmp-2", body: {} });
    await queue.flush();
    assert.deepEqual(server.paths(), [
      "POST spans",
      "POST spans",
      "POST links",
      "PATCH spans/40",
      "DELETE links/42",
      "DELETE spans/41",
    ]);
    assert.deepEqual([server.log[2].body.source, server.log[2].body.target], [40, 41]);
    assert.deepEqual([...server.spans.keys()], [40]);
    assert.equal(server.spans.get(40).label, "hedge");
    assert.equal(server.links.size, 0);
    assert.equal(queue.idFor("tmp-1"), 40);
    assert.equal(queue.idFor("tmp-3"), 42);
    assert.equal(queue.idFor(17), 17);
    assert.equal(seen.applied[0].request.tempId, "tmp-1");
    assert.equal(seen.applied[0].body.span.id, 40);
  });

  test("a request queued after the mapping is known is rewritten at once", async () => {
    const server = fakeServer();
    const { queue } = makeQueue(server);
    queue.setVersion(1);
    await queue.enqueue(createSpan("tmp-1"));
    queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "denial" } });
    assert.equal(queue.pending()[0].path, "spans/40");
    await queue.flush();
    assert.equal(server.spans.get(40).label, "denial");
  });

  test("nextTempId never repeats a pending temporary id, also after a reload", async () => {
    const server = fakeServer();
    server.faults.push("offline");
    const storage = new MemoryStorage();
    const { queue } = makeQueue(server, { storage });
    queue.setVersion(1);
    const first = queue.nextTempId();
    await queue.enqueue(createSpan(first));
    await queue.enqueue(createSpan("tmp-9", 10));
    const reloaded = makeQueue(server, { storage }).queue;
    const next = reloaded.nextTempId();
    assert.notEqual(next, first);
    assert.equal(next, "tmp-10");
    assert.throws(() => reloaded.enqueue(createSpan(first)), /already pending/);
  });
});

describe("SaveQueue: reloads", () => {
  test("a new queue on the same storage sends what the old one had pending", async () => {
    const server = fakeServer({ version: 3 });
    server.faults.push("offline");
    const storage = new MemoryStorage();
    const before = makeQueue(server, { storage }).queue;
    before.setVersion(3);
    before.enqueue(createSpan("tmp-1"));
    before.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
    await before.flush();
    assert.equal(before.state, "retrying");
    assert.equal(server.spans.size, 0);

    // The page reloads: a new queue, the version the page loaded, flush().
    const { queue, seen } = makeQueue(server, { storage });
    assert.deepEqual(queue.pending(), before.pending());
    assert.equal(queue.state, "saving");
    assert.equal(queue.setVersion(3), false);
    await queue.flush();
    assert.deepEqual(server.paths().slice(1), ["POST spans", "PATCH spans/40"]);
    assert.equal(server.spans.get(40).label, "hedge");
    assert.deepEqual(seen.states, ["saving", "saved"]);
    assert.equal(storage.getItem(KEY), null);
  });

  test("a reload between two writes keeps the mapping and the new version", async () => {
    const server = fakeServer({ version: 3 });
    const storage = new MemoryStorage();
    const before = makeQueue(server, { storage }).queue;
    before.setVersion(3);
    server.faults.push(undefined, "offline");
    before.enqueue(createSpan("tmp-1"));
    before.enqueue({ method: "DELETE", path: "spans/tmp-1", body: {} });
    await before.flush();
    assert.equal(server.spans.size, 1);

    const { queue } = makeQueue(server, { storage });
    assert.deepEqual(queue.pending().map((r) => r.path), ["spans/40"]);
    assert.equal(queue.version, 4);
    assert.equal(queue.idFor("tmp-1"), 40);
    await queue.flush();
    assert.equal(server.spans.size, 0);
    assert.equal(queue.state, "saved");
  });

  test("a write the server took before the reload is not applied twice", async () => {
    const server = fakeServer({ version: 3 });
    server.faults.push("lost");
    const storage = new MemoryStorage();
    const before = makeQueue(server, { storage }).queue;
    before.setVersion(3);
    await before.enqueue(createSpan("tmp-1"));
    assert.equal(server.spans.size, 1);

    // The page loads the annotation (version 4, the span included) and
    // resumes: the resent create is stale, so it ends in a conflict.
    const { queue, seen } = makeQueue(server, { storage });
    assert.equal(queue.setVersion(server.version), false);
    await queue.flush();
    assert.equal(server.spans.size, 1);
    assert.equal(seen.conflicts.length, 1);
    assert.equal(seen.conflicts[0].spans.length, 1);
    assert.equal(queue.version, 4);
  });

  test("storage holding something else is ignored", () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, "{not json");
    assert.deepEqual(makeQueue(fakeServer(), { storage }).queue.pending(), []);
    storage.setItem(KEY, JSON.stringify({ format: 1, pending: [{ method: "GET" }] }));
    assert.deepEqual(makeQueue(fakeServer(), { storage }).queue.pending(), []);
  });
});

describe("SaveQueue: failures", () => {
  test("network failures retry with growing delays, then recover", async () => {
    const server = fakeServer();
    const unavailable = { status: 503, body: null };
    const offline = Array(4).fill("offline");
    server.faults.push("offline", "offline", unavailable, ...offline);
    const { queue, seen, timers } = makeQueue(server);
    queue.setVersion(1);
    await queue.enqueue(createSpan("tmp-1"));
    assert.equal(queue.state, "retrying");
    const delays = [];
    for (let i = 0; i < 7; i += 1) delays.push(await timers.fire());
    assert.deepEqual(delays, [500, 1000, 2000, 5000, 10000, 10000, 10000]);
    assert.equal(queue.state, "saved");
    assert.deepEqual(seen.states, ["saving", "retrying", "saved"]);
    assert.equal(server.log.length, 8);
    assert.equal(server.spans.size, 1);
    assert.equal(timers.timers.length, 0);
  });

  test("a request queued while waiting to retry goes with the next attempt", async () => {
    const server = fakeServer();
    server.faults.push("offline");
    const { queue, timers } = makeQueue(server);
    queue.setVersion(1);
    await queue.enqueue(createSpan("tmp-1"));
    await queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
    assert.equal(server.log.length, 1);
    assert.equal(queue.pending().length, 2);
    await timers.fire();
    assert.deepEqual(server.paths(), ["POST spans", "POST spans", "PATCH spans/40"]);
    assert.equal(queue.state, "saved");
  });

  test("online() retries at once and starts the delays again", async () => {
    const server = fakeServer();
    server.faults.push("offline", "offline", "offline");
    const { queue, timers } = makeQueue(server);
    queue.setVersion(1);
    await queue.enqueue(createSpan("tmp-1"));
    assert.equal(await timers.fire(), 500);
    assert.deepEqual(timers.timers.map((t) => t.delay), [1000]);
    await queue.online();
    assert.deepEqual(timers.timers.map((t) => t.delay), [500]);
    await queue.online();
    assert.equal(timers.timers.length, 0);
    assert.equal(queue.state, "saved");
    assert.equal(server.spans.size, 1);
  });

  test("a 409 hands the server's annotation over and drops the queue", async () => {
    const server = fakeServer({ version: 5 });
    const storage = new MemoryStorage();
    const { queue, seen } = makeQueue(server, { storage });
    queue.setVersion(4); // another tab wrote version 5
    queue.enqueue(createSpan("tmp-1"));
    queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
    await queue.flush();
    assert.equal(seen.conflicts.length, 1);
    assert.equal(seen.conflicts[0].version, 5);
    assert.deepEqual(queue.pending(), []);
    assert.equal(queue.version, 5);
    assert.equal(storage.getItem(KEY), null);
    assert.equal(queue.state, "saved");
    assert.equal(server.log.length, 1);

    await queue.enqueue(createSpan("tmp-2"));
    assert.equal(server.spans.size, 1);
    assert.equal(queue.version, 6);
  });

  test("a 400 drops that request and those using its temporary id", async () => {
    const server = fakeServer();
    server.spans.set(12, { id: 12, start: 20, end: 24, label: "claim" });
    const { queue, seen } = makeQueue(server);
    queue.setVersion(1);
    queue.enqueue(createSpan("tmp-1", 0, "bogus"));
    queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
    queue.enqueue({
      method: "POST",
      path: "links",
      body: { source: 12, target: "tmp-1", kind: "denies" },
      tempId: "tmp-2",
    });
    queue.enqueue({ method: "DELETE", path: "links/tmp-2", body: {} });
    queue.enqueue(createSpan("tmp-3", 30));
    await queue.flush();
    assert.deepEqual(server.paths(), ["POST spans", "POST spans"]);
    assert.equal(server.log[1].body.start, 30);
    assert.equal(seen.rejected.length, 1);
    const [rejection] = seen.rejected;
    assert.equal(rejection.status, 400);
    assert.equal(rejection.body.field, "label");
    assert.equal(rejection.request.tempId, "tmp-1");
    const dropped = rejection.dropped.map((r) => r.path);
    assert.deepEqual(dropped, ["spans/tmp-1", "links", "links/tmp-2"]);
    assert.equal(queue.state, "saved");
    assert.equal(queue.version, 2);
  });

  test("a 404 drops only that request", async () => {
    const server = fakeServer();
    const { queue, seen } = makeQueue(server);
    queue.setVersion(1);
    queue.enqueue({ method: "DELETE", path: "spans/99", body: {} });
    queue.enqueue(createSpan("tmp-1"));
    await queue.flush();
    assert.equal(seen.rejected[0].status, 404);
    assert.deepEqual(seen.rejected[0].dropped, []);
    assert.equal(server.spans.size, 1);
  });

  for (const [name, refusal] of [
    ["a 401", { status: 401, body: { error: "log in", status: 401 } }],
    ["a refused CSRF token", { status: 400, body: { error: "token is old", status: 400 } }],
  ]) {
    test(`${name} stops the queue and keeps everything`, async () => {
      const server = fakeServer();
      server.faults.push(refusal);
      const storage = new MemoryStorage();
      const { queue, seen, timers } = makeQueue(server, { storage });
      queue.setVersion(1);
      queue.enqueue(createSpan("tmp-1"));
      queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
      await queue.flush();
      assert.equal(queue.state, "retrying");
      assert.equal(queue.pending().length, 2);
      assert.equal(timers.timers.length, 0);
      assert.deepEqual(seen.unauthorized, [refusal]);
      assert.deepEqual(seen.rejected, []);
      await queue.enqueue({ method: "POST", path: "status", body: { status: "done" } });
      assert.equal(server.log.length, 1);
      assert.equal(makeQueue(server, { storage }).queue.pending().length, 3);

      await queue.flush(); // after logging in again
      const resumed = server.paths().slice(1);
      assert.deepEqual(resumed, ["POST spans", "PATCH spans/40", "POST status"]);
      assert.equal(queue.state, "saved");
    });
  }

  test("storage that throws does not stop saving", async () => {
    const server = fakeServer();
    server.faults.push("offline");
    const { queue, timers } = makeQueue(server, { storage: new BrokenStorage() });
    queue.setVersion(1);
    await queue.enqueue(createSpan("tmp-1"));
    queue.enqueue({ method: "PATCH", path: "spans/tmp-1", body: { label: "hedge" } });
    assert.equal(queue.pending().length, 2);
    assert.equal(queue.nextTempId(), "tmp-2");
    await timers.fire();
    assert.equal(queue.state, "saved");
    assert.equal(server.spans.get(40).label, "hedge");
  });

  test("without storage the queue works in memory", async () => {
    const server = fakeServer();
    const { queue } = makeQueue(server, { storage: null });
    queue.setVersion(1);
    await queue.enqueue(createSpan("tmp-1"));
    assert.equal(server.spans.size, 1);
  });
});

describe("SaveQueue: input", () => {
  test("malformed requests are refused before they are queued", () => {
    const { queue } = makeQueue(fakeServer());
    assert.throws(() => queue.enqueue({ method: "GET", path: "spans" }), TypeError);
    assert.throws(() => queue.enqueue({ method: "POST", path: "" }), TypeError);
    assert.throws(() => queue.enqueue({ method: "POST", path: "spans", body: 3 }), TypeError);
    assert.throws(() => queue.enqueue({ method: "POST", path: "spans", tempId: 3 }), TypeError);
    assert.deepEqual(queue.pending(), []);
  });

  test("pending() returns copies", () => {
    const server = fakeServer();
    server.faults.push("offline");
    const { queue } = makeQueue(server);
    queue.enqueue(createSpan("tmp-1"));
    queue.pending()[0].body.label = "changed";
    assert.equal(queue.pending()[0].body.label, "claim");
  });
});
