// static/js/lib/afterframe.js: work after the next frame, once, with a
// fallback for pages that get no frames (background tabs).
import assert from "node:assert/strict";
import { test } from "node:test";

import { afterFrame } from "../../static/js/lib/afterframe.js";

/** A clock with frames and timers run by hand. */
function fakeClock() {
  const frames = [];
  const timers = new Map();
  let next = 0;
  return {
    frames,
    timers,
    requestFrame: (callback) => frames.push(callback),
    setTimer: (callback, ms) => {
      next += 1;
      timers.set(next, { callback, ms });
      return next;
    },
    clearTimer: (id) => timers.delete(id),
    paint() {
      for (const callback of frames.splice(0)) callback();
    },
    fire(ms) {
      for (const [id, timer] of [...timers]) {
        if (timer.ms === ms) {
          timers.delete(id);
          timer.callback();
        }
      }
    },
  };
}

test("the work waits for the frame, then for the task after it", () => {
  const clock = fakeClock();
  const ran = [];
  afterFrame(() => ran.push("work"), clock);
  clock.fire(0);
  assert.deepEqual(ran, [], "nothing before the frame");
  clock.paint();
  assert.deepEqual(ran, [], "not inside the frame callback");
  clock.fire(0);
  assert.deepEqual(ran, ["work"]);
});

test("after the frame the fallback timer is cleared and the work runs once", () => {
  const clock = fakeClock();
  let runs = 0;
  afterFrame(() => (runs += 1), { ...clock, fallbackMs: 100 });
  clock.paint();
  clock.fire(0);
  assert.equal(clock.timers.size, 0);
  clock.fire(100);
  assert.equal(runs, 1);
});

test("without frames (a background tab) the fallback runs the work once", () => {
  const clock = fakeClock();
  let runs = 0;
  afterFrame(() => (runs += 1), { ...clock, fallbackMs: 250 });
  clock.fire(250);
  assert.equal(runs, 1);
  clock.paint(); // the tab is shown later: no second run
  clock.fire(0);
  assert.equal(runs, 1);
});
