"""What the annotation page benches read in the browser, as JavaScript.

`PROBE` is an init script (run before the page's own scripts on every
navigation): it records long tasks and the frames after the page's marks in
`__annotateProbe`, a bench-only global (the page itself puts nothing on
window). Frames: the `requestAnimationFrame` callback after the
`annotate-interactive` mark is the start of the first frame after it; the
frame is done when its style, layout and paint are, which is the end of the
long animation frame entry that covers that callback (frames under 50 ms are
not reported: then the task posted from the callback, which runs after the
frame, gives the end).
"""

PROBE = """(() => {
  const probe = { longTasks: [], frames: [], frameStart: null, frameTask: null };
  Object.defineProperty(window, "__annotateProbe", { value: probe });
  const watch = (type, into) => {
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) into.push([e.startTime, e.duration]);
      }).observe({ type, buffered: true });
    } catch (error) { /* not supported: left empty */ }
  };
  watch("longtask", probe.longTasks);
  watch("long-animation-frame", probe.frames);
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    const made = mark(name, options);
    if (name === "annotate-interactive") {
      requestAnimationFrame(() => {
        probe.frameStart = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { probe.frameTask = performance.now(); };
        channel.port2.postMessage(null);
      });
    }
    return made;
  };
})();"""

MARKS = """() => {
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  return { interactive: at("annotate-interactive"), shown: at("annotate-suggestions") };
}"""

# Wait until the frame after interactive is known (its task ran).
FRAME_DONE = "() => window.__annotateProbe.frameTask !== null"

FIGURES = """() => {
  const probe = window.__annotateProbe;
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const interactive = at("annotate-interactive");
  const shown = at("annotate-suggestions") ?? at("annotate-interactive");
  const begun = probe.frameStart;
  const covering = probe.frames.find(([s, d]) => s <= begun && begun <= s + d);
  const frame = covering ? covering[0] + covering[1] : probe.frameTask;
  let longTasks = 0;
  let blocking = 0;
  for (const [start, duration] of probe.longTasks) {
    if (start > shown) continue;
    longTasks += duration;
    blocking += duration - 50;
  }
  return { interactive, frame, shown, longTasks, blocking };
}"""
