import { test } from "node:test";
import assert from "node:assert/strict";
import { exportOptions, progressText, refusalText } from "../../static/js/exports/options.js";

test("the form's fields become the API's options, numbers as numbers", () => {
  const options = exportOptions([
    ["csrf_token", "tok"],
    ["format", "doccano"],
    ["layer", "majority"],
    ["status", "submitted"],
    ["min_annotators", "2"],
    ["min_agreement", "0.8"],
    ["split", " 0.8,0.1,0.1 "],
    ["seed", "7"],
    ["real_names", "y"],
    ["labels", "claim"],
    ["labels", "denial"],
  ]);
  assert.deepEqual(options, {
    format: "doccano",
    layer: "majority",
    status: "submitted",
    min_annotators: 2,
    min_agreement: 0.8,
    split: "0.8,0.1,0.1",
    seed: 7,
    real_names: true,
    labels: ["claim", "denial"],
  });
});

test("empty boxes are left out and odd numbers go as typed, for the server to name", () => {
  const options = exportOptions([
    ["format", "jsonl"],
    ["min_annotators", ""],
    ["min_agreement", "lots"],
    ["split", ""],
    ["seed", "1.5"],
  ]);
  assert.deepEqual(options, { format: "jsonl", labels: [], min_agreement: "lots", seed: "1.5" });
});

test("progress says what the job is doing", () => {
  assert.equal(progressText({ status: "queued", progress: { done: 0, total: null } }), "Export waiting to start…");
  assert.equal(progressText({ status: "running", progress: { done: 0, total: null } }), "Exporting…");
  assert.equal(
    progressText({ status: "running", progress: { done: 500, total: 1200 } }),
    "Exporting: 500 of 1200 documents read.",
  );
  assert.equal(
    progressText({ status: "failed", error: "worker stopped", progress: {} }),
    "Nothing was exported: worker stopped",
  );
});

test("a refusal names the field once", () => {
  const answer = { status: 400, body: { error: "split: ratios must sum to 1", field: "split" } };
  assert.equal(refusalText(answer), "Nothing was exported: split: ratios must sum to 1");
  const quoted = { status: 400, body: { error: "split '0.7,0.7,0.1': ratios must sum to 1", field: "split" } };
  assert.equal(refusalText(quoted), "Nothing was exported: split '0.7,0.7,0.1': ratios must sum to 1");
  const unnamed = { status: 400, body: { error: "a list of label names", field: "labels" } };
  assert.equal(refusalText(unnamed), "Nothing was exported: labels: a list of label names");
  assert.equal(refusalText({ status: 502, body: null }), "Nothing was exported: the server answered 502");
});

test("the doccano choices go with the doccano format and are left out for any other", () => {
  const doccano = exportOptions([
    ["format", "doccano"],
    ["offsets", "codepoints"],
    ["doccano_shape", "label"],
  ]);
  assert.deepEqual(doccano, {
    format: "doccano",
    labels: [],
    offsets: "codepoints",
    doccano_shape: "label",
  });
  const jsonl = exportOptions([
    ["format", "jsonl"],
    ["offsets", "utf16"],
    ["doccano_shape", "auto"],
  ]);
  assert.deepEqual(jsonl, { format: "jsonl", labels: [] });
});
