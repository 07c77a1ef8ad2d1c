// Link arcs of static/js/lib/linkgeometry.js.
import assert from "node:assert/strict";
import { test } from "node:test";

import { anchor, linkArc, rise } from "../../static/js/lib/linkgeometry.js";

const box = (left, top, width = 40, height = 20) => ({ left, top, width, height });

function numbers(d) {
  return d.match(/-?\d+(\.\d+)?/g).map(Number);
}

test("the arc runs from the source's top middle to the target's", () => {
  const arc = linkArc(box(100, 200), box(300, 200));
  const values = numbers(arc.d);
  assert.deepEqual(values.slice(0, 2), [120, 200]);
  assert.deepEqual(values.slice(-2), [320, 200]);
  assert.ok(arc.d.startsWith("M ") && arc.d.includes(" C "));
});

test("it rises above both spans, more for distant ones", () => {
  const near = linkArc(box(100, 200), box(160, 200));
  const far = linkArc(box(100, 200), box(600, 200));
  assert.ok(near.peak < 200 && far.peak < near.peak);
  const lines = linkArc(box(500, 300), box(80, 120));
  assert.ok(lines.peak < 120, "above the higher of two lines");
  assert.equal(rise(anchor(box(0, 0)), anchor(box(5000, 0))), 56);
});

test("never above the drawing's top", () => {
  const arc = linkArc(box(10, 4), box(400, 4), { top: 0 });
  assert.ok(numbers(arc.d)[3] >= 0);
  assert.ok(arc.peak >= 0);
});

test("the kind's label sits at the middle of the curve", () => {
  const arc = linkArc(box(0, 100), box(200, 100));
  assert.equal(arc.label.x, 120);
  assert.ok(arc.label.y < 100);
});
