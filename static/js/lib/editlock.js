/**
 * One editing tab per document: decides whether this tab edits or only
 * shows the document, with a Web Lock named like the save queue's storage key.
 *
 * The tab that gets the lock keeps it for its whole life (the browser drops
 * it when the tab closes or crashes). A tab that finds it taken is read-only
 * and waits in line for it, so it becomes the editor as soon as the other tab
 * is gone, and only then builds its save queue, which restores whatever the
 * closed tab left pending in storage.
 *
 * Without Web Locks (old browsers; pages served over plain http from another
 * host than localhost/127.0.0.1, which are not secure contexts) or if the
 * lock manager refuses us, every tab edits, as before this module: two tabs
 * then share the stored queue, and a tab closed while offline can lose its
 * pending edits if the other one saved last.
 *
 * Plain ES module, no DOM: `locks` is navigator.locks or a fake.
 */

/** This tab holds the lock and edits. */
export const EDITING = "editing";
/** Another tab holds the lock: show, do not change. */
export const READ_ONLY = "read-only";
/** No lock manager: edit, unguarded (the behaviour before locks). */
export const UNGUARDED = "unguarded";

/** Returned from a lock callback: never settles, so the lock stays held. */
const forever = () => new Promise(() => {});

/** Reported as uncaught, after the lock callback has returned. */
function rethrowLater(error) {
  queueMicrotask(() => {
    throw error;
  });
}

/** Whether `locks` looks like a LockManager. */
export function hasLocks(locks) {
  return typeof locks?.request === "function";
}

/**
 * Claims the editing of the document `name` for this tab.
 *
 * `onRole` is called with EDITING or UNGUARDED once, or with READ_ONLY first
 * and later EDITING when the tab holding the lock has gone.
 *
 * @param {object} options
 * @param {LockManager | undefined | null} options.locks
 * @param {string} options.name The save queue's storage key.
 * @param {(role: string) => void} options.onRole
 * @param {(error: unknown) => void} [options.onError] Gets what onRole
 *   throws; a throwing onRole must not release the lock.
 */
export function claimEditing({ locks, name, onRole, onError = rethrowLater }) {
  if (typeof name !== "string" || name === "") throw new TypeError("name must be a string");
  if (typeof onRole !== "function") throw new TypeError("onRole must be a function");
  let told = false;
  const become = (role) => {
    told = true;
    try {
      onRole(role);
    } catch (error) {
      onError(error);
    }
  };
  if (!hasLocks(locks)) {
    become(UNGUARDED);
    return;
  }
  const hold = () => {
    become(EDITING);
    return forever();
  };
  const first = (lock) => {
    if (lock !== null) return hold();
    become(READ_ONLY);
    // Queued behind the holder; a refusal here leaves the tab read-only,
    // the safe side.
    locks.request(name, hold).catch(() => {});
    return undefined;
  };
  try {
    locks.request(name, { ifAvailable: true }, first).catch(() => {
      if (!told) become(UNGUARDED);
    });
  } catch {
    // Some implementations throw instead of rejecting (e.g. opaque origins).
    if (!told) become(UNGUARDED);
  }
}
