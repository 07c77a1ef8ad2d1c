/**
 * Run work after the browser has painted the next frame: a page that has
 * just drawn what the user needs first (the annotation page's text and
 * spans) lets that frame reach the screen before it starts on what can wait
 * (the side lists, the suggestions), instead of the frame waiting for them.
 *
 * The frame callback only schedules: the work runs in a task after the frame
 * (style, layout, paint done). A page in a background tab gets no frames, so
 * a timer runs the work anyway after `fallbackMs`. Runs `work` exactly once.
 *
 * Plain ES module, no DOM of its own (the scheduling functions are passed
 * in, the browser's by default): works in Node too.
 */

export function afterFrame(work, options = {}) {
  const {
    requestFrame = (callback) => requestAnimationFrame(callback),
    setTimer = (callback, ms) => setTimeout(callback, ms),
    clearTimer = (id) => clearTimeout(id),
    fallbackMs = 100,
  } = options;
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimer(fallback);
    work();
  };
  const fallback = setTimer(run, fallbackMs);
  requestFrame(() => setTimer(run, 0));
}
