/**
 * The annotation page's writes, sent one at a time, in order, surviving
 * reloads and network failures.
 *
 * Every write carries the assignment version the client last saw: the queue
 * puts its current version into each body just before sending and takes the
 * new one from each response, so the page never handles versions itself.
 *
 * A create may carry a temporary id (`tempId`, e.g. "tmp-3") that the page
 * uses until the server answers. Once it does, the queue maps the temporary id
 * to the server's id and rewrites it in the paths (`spans/tmp-3` becomes
 * `spans/41`) and link ends (`source`, `target`) of the requests still
 * waiting; idFor() gives the mapping to the page.
 *
 * Outcomes of one request:
 * - 2xx: applied; onApplied(request, body); on to the next one.
 * - network error, 5xx, 408, 429: state 'retrying'; tried again after
 *   retryDelays (then the last delay, forever), or at once on online().
 * - 409 (another tab wrote): onConflict(body.annotation); every pending
 *   request is dropped and the version taken from body.annotation.
 * - 401, and 400 without a `field` (the CSRF token was refused, which is what
 *   an expired session looks like to a write): the queue stops in state
 *   'retrying' and keeps everything; flush() or online() resumes it.
 * - any other 4xx (400 with a field, 403, 404, ...): that request is dropped,
 *   with the later ones that use its temporary id; onRejected is told.
 *
 * Pending requests, the version and the temporary-id map are kept in
 * `storage` after every change, so a new queue on the same key (after a
 * reload) resumes them on flush(). If storage throws (quota, disabled), the
 * queue goes on in memory.
 *
 * Plain ES module, no DOM, no dependencies: works in the browser and in Node.
 */

/**
 * @typedef {object} Request
 * @property {string} method "POST", "PATCH", "PUT" or "DELETE".
 * @property {string} path Relative to the document's API base, e.g. "spans/41".
 * @property {object} [body] JSON object; `version` is filled in by the queue.
 * @property {string} [tempId] Temporary id of what a create makes.
 */

/**
 * @typedef {object} Response
 * @property {number} status HTTP status.
 * @property {any} body Parsed JSON body (or null).
 */

const METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);
const LINK_ENDS = ["source", "target"];
const CREATED = ["span", "link"];
const FORMAT = 1;

function outcomeOf(response) {
  if (!response || !Number.isInteger(response.status)) return "retry";
  const { status, body } = response;
  if (status >= 200 && status < 300) return "applied";
  if (status === 409) return "conflict";
  if (status === 401 || (status === 400 && body?.field == null)) return "halt";
  if (status >= 500 || status === 408 || status === 429) return "retry";
  return "rejected";
}

function checkRequest({ method, path, body, tempId }) {
  if (!METHODS.has(method)) throw new TypeError(`unknown method ${method}`);
  if (typeof path !== "string" || path === "") {
    throw new TypeError("path must be a non-empty string");
  }
  if (body !== undefined && (body === null || typeof body !== "object")) {
    throw new TypeError("body must be an object");
  }
  if (tempId !== undefined && (typeof tempId !== "string" || tempId === "")) {
    throw new TypeError("tempId must be a non-empty string");
  }
}

function copyRequest({ method, path, body, tempId }) {
  const copy = { method, path, body: structuredClone(body ?? {}) };
  if (tempId !== undefined) copy.tempId = tempId;
  return copy;
}

function pathIds(path) {
  return path.split("/");
}

/** The request with every temporary id that `ids` knows replaced. */
function rewrite(request, ids) {
  const path = pathIds(request.path)
    .map((part) => (ids.has(part) ? String(ids.get(part)) : part))
    .join("/");
  const body = { ...request.body };
  for (const end of LINK_ENDS) {
    if (ids.has(body[end])) body[end] = ids.get(body[end]);
  }
  return { ...request, path, body };
}

function usesAny(request, tempIds) {
  const inPath = pathIds(request.path).some((part) => tempIds.has(part));
  return inPath || LINK_ENDS.some((end) => tempIds.has(request.body?.[end]));
}

function createdId(body) {
  for (const kind of CREATED) {
    if (body?.[kind]?.id !== undefined) return body[kind].id;
  }
  return undefined;
}

function tempNumber(tempId) {
  const match = /^tmp-(\d+)$/.exec(tempId ?? "");
  return match ? Number(match[1]) : 0;
}

/** Errors from callbacks must not leave the queue half-updated. */
function call(callback, ...args) {
  if (typeof callback !== "function") return;
  try {
    callback(...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

export class SaveQueue {
  #storage;
  #key;
  #send;
  #callbacks;
  #delays;
  #setTimer;
  #clearTimer;

  #pending = [];
  #version = null;
  #ids = new Map();
  #nextTemp = 1;

  #state = "saved";
  #reported = null;
  #attempt = 0;
  #timer = null;
  #halted = false;
  #draining = false;
  #drained = Promise.resolve();

  /**
   * @param {object} options
   * @param {Storage | null} [options.storage] localStorage-like; null: memory only.
   * @param {string} options.key Unique per project, document and user.
   * @param {(request: Request) => Promise<Response>} options.send Throws on network failure.
   * @param {(state: 'saved' | 'saving' | 'retrying') => void} [options.onState]
   * @param {(annotation: object) => void} [options.onConflict]
   *   After a 409, with the server's current annotation.
   * @param {(request: Request, body: any) => void} [options.onApplied] After each success.
   * @param {(request: Request, status: number, body: any,
   *   dropped: Request[]) => void} [options.onRejected]
   *   A request refused (400 with a field, 403, 404, ...); `dropped` are the
   *   later requests that used its temporary id and were dropped with it.
   * @param {(status: number, body: any) => void} [options.onUnauthorized]
   *   The queue stopped on a 401 or a refused CSRF token: ask the user to log in.
   * @param {number[]} [options.retryDelays] Milliseconds between attempts.
   * @param {typeof setTimeout} [options.setTimer]
   * @param {typeof clearTimeout} [options.clearTimer]
   */
  constructor({
    storage = null,
    key,
    send,
    onState,
    onConflict,
    onApplied,
    onRejected,
    onUnauthorized,
    retryDelays = [500, 1000, 2000, 5000, 10000],
    // Wrapped: a bare setTimeout stored on an object and called as its method
    // throws "Illegal invocation" in browsers.
    setTimer = (callback, delay) => setTimeout(callback, delay),
    clearTimer = (timer) => clearTimeout(timer),
  }) {
    if (typeof send !== "function") throw new TypeError("send must be a function");
    if (typeof key !== "string" || key === "") throw new TypeError("key must be a string");
    if (!Array.isArray(retryDelays) || retryDelays.length === 0) {
      throw new TypeError("retryDelays must be a non-empty array");
    }
    this.#storage = storage;
    this.#key = key;
    this.#send = send;
    this.#callbacks = { onState, onConflict, onApplied, onRejected, onUnauthorized };
    this.#delays = [...retryDelays];
    this.#setTimer = setTimer;
    this.#clearTimer = clearTimer;
    this.#restore();
  }

  /**
   * 'saved': nothing pending; 'saving': a request in flight; 'retrying': the
   * last attempt failed or the session was refused (it stays 'retrying'
   * during the next attempts, until one gets a final answer).
   * @returns {'saved' | 'saving' | 'retrying'}
   */
  get state() {
    return this.#state;
  }

  /** @returns {number | null} The assignment version the next write will carry. */
  get version() {
    return this.#version;
  }

  /**
   * Sets the version of the annotation the page loaded. Ignored while
   * requests are pending: they were queued against the version the queue
   * holds, and sending them with a newer one could apply a write twice (if
   * the server took it but the answer was lost before a reload).
   * @param {number} version
   * @returns {boolean} Whether the version was taken.
   */
  setVersion(version) {
    if (this.#pending.length > 0) return false;
    this.#version = version;
    return true;
  }

  /**
   * A fresh temporary id ("tmp-N") that no pending request or known mapping
   * uses, also across reloads.
   * @returns {string}
   */
  nextTempId() {
    const tempId = `tmp-${this.#nextTemp}`;
    this.#nextTemp += 1;
    this.#save();
    return tempId;
  }

  /**
   * Adds a write at the end of the queue and starts sending, unless the
   * queue is waiting to retry (then it goes with the others).
   * @param {Request} request Temporary ids already mapped are replaced now.
   * @returns {Promise<void>} As flush().
   */
  enqueue(request) {
    checkRequest(request);
    const { tempId } = request;
    if (tempId !== undefined && this.#pending.some((r) => r.tempId === tempId)) {
      throw new Error(`temporary id ${tempId} is already pending; use nextTempId()`);
    }
    if (tempId !== undefined) {
      this.#ids.delete(tempId);
      this.#nextTemp = Math.max(this.#nextTemp, tempNumber(tempId) + 1);
    }
    const queued = rewrite(copyRequest(request), this.#ids);
    this.#pending.push(queued);
    this.#save();
    if (this.#timer !== null || this.#halted) return this.#drained;
    return this.flush();
  }

  /**
   * Sends what is pending now (cancelling a retry wait, resuming after a 401).
   * @returns {Promise<void>} Resolved when the queue is empty, waiting to
   *   retry, or stopped on a 401.
   */
  flush() {
    this.#cancelTimer();
    this.#halted = false;
    if (!this.#draining) {
      this.#draining = true;
      this.#drained = this.#drain();
    }
    return this.#drained;
  }

  /** For the window's 'online' event: retry at once, delays from the start. */
  online() {
    this.#attempt = 0;
    return this.flush();
  }

  /** @returns {Request[]} Copies of the requests not yet applied, in order. */
  pending() {
    return this.#pending.map(copyRequest);
  }

  /**
   * @param {string | number} id A temporary or server id.
   * @returns {string | number} The server's id for a temporary one, else `id`.
   */
  idFor(id) {
    return this.#ids.has(id) ? this.#ids.get(id) : id;
  }

  async #drain() {
    try {
      while (this.#pending.length > 0) {
        const request = this.#pending[0];
        if (this.#state !== "retrying") this.#setState("saving");
        const response = await this.#sendOne(request);
        if (!this.#settle(request, response)) return;
      }
      this.#setState("saved");
    } finally {
      this.#draining = false;
    }
  }

  async #sendOne(request) {
    const sent = copyRequest(request);
    sent.body.version = this.#version;
    try {
      return { sent, response: await this.#send(sent) };
    } catch {
      return { sent, response: null };
    }
  }

  /** @returns {boolean} Whether to go on with the next request. */
  #settle(request, { sent, response }) {
    switch (outcomeOf(response)) {
      case "applied":
        this.#applied(request, sent, response.body);
        return true;
      case "conflict":
        this.#conflict(response.body);
        return true;
      case "rejected":
        this.#rejected(request, sent, response);
        return true;
      case "halt":
        this.#halt(response);
        return false;
      default:
        this.#retryLater();
        return false;
    }
  }

  #applied(request, sent, body) {
    this.#pending.shift();
    this.#attempt = 0;
    if (body?.version !== undefined) this.#version = body.version;
    const id = createdId(body);
    if (request.tempId !== undefined && id !== undefined) {
      this.#ids.set(request.tempId, id);
      this.#pending = this.#pending.map((r) => rewrite(r, this.#ids));
    }
    this.#save();
    this.#showSettled();
    call(this.#callbacks.onApplied, sent, body);
  }

  #conflict(body) {
    const annotation = body?.annotation;
    this.#pending = [];
    this.#attempt = 0;
    if (annotation?.version !== undefined) this.#version = annotation.version;
    this.#save();
    this.#showSettled();
    call(this.#callbacks.onConflict, annotation);
  }

  #rejected(request, sent, { status, body }) {
    this.#pending.shift();
    const dropped = this.#dropDependants(request);
    this.#attempt = 0;
    this.#save();
    this.#showSettled();
    call(this.#callbacks.onRejected, sent, status, body, dropped);
  }

  /** Drops the requests that use the temporary id of `request`, transitively. */
  #dropDependants(request) {
    const dead = new Set(request.tempId === undefined ? [] : [request.tempId]);
    const dropped = [];
    const kept = [];
    for (const later of this.#pending) {
      if (!usesAny(later, dead)) {
        kept.push(later);
        continue;
      }
      dropped.push(copyRequest(later));
      if (later.tempId !== undefined) dead.add(later.tempId);
    }
    this.#pending = kept;
    return dropped;
  }

  #halt({ status, body }) {
    this.#halted = true;
    this.#setState("retrying");
    call(this.#callbacks.onUnauthorized, status, body);
  }

  #retryLater() {
    const delay = this.#delays[Math.min(this.#attempt, this.#delays.length - 1)];
    this.#attempt += 1;
    this.#setState("retrying");
    this.#timer = this.#setTimer(() => {
      this.#timer = null;
      this.flush();
    }, delay);
  }

  #cancelTimer() {
    if (this.#timer === null) return;
    this.#clearTimer(this.#timer);
    this.#timer = null;
  }

  /** After a request got its final answer: saving the next one, or saved. */
  #showSettled() {
    this.#setState(this.#pending.length > 0 ? "saving" : "saved");
  }

  #setState(state) {
    this.#state = state;
    if (state === this.#reported) return;
    this.#reported = state;
    call(this.#callbacks.onState, state);
  }

  #save() {
    try {
      if (this.#pending.length === 0) {
        this.#storage?.removeItem(this.#key);
        return;
      }
      this.#storage?.setItem(this.#key, JSON.stringify(this.#snapshot()));
    } catch {
      // Quota or storage disabled: the queue still works, in memory only.
    }
  }

  #snapshot() {
    return {
      format: FORMAT,
      version: this.#version,
      pending: this.#pending,
      ids: [...this.#ids],
      nextTemp: this.#nextTemp,
    };
  }

  #restore() {
    const saved = this.#read();
    if (saved?.format !== FORMAT || !Array.isArray(saved.pending)) return;
    this.#pending = saved.pending.filter(isRequest).map(copyRequest);
    this.#version = saved.version ?? null;
    this.#ids = new Map(Array.isArray(saved.ids) ? saved.ids : []);
    this.#nextTemp = Number.isInteger(saved.nextTemp) ? saved.nextTemp : 1;
    if (this.#pending.length > 0) this.#state = "saving";
  }

  #read() {
    try {
      const text = this.#storage?.getItem(this.#key);
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }
}

function isRequest(value) {
  try {
    checkRequest(value ?? {});
    return true;
  } catch {
    return false;
  }
}
