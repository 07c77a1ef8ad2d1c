import { test } from "node:test";
import assert from "node:assert/strict";
import { ended } from "../../static/js/jobs/follow.js";
import {
  CANCELLING,
  TOO_LATE,
  cancellable,
  cancelRefusalText,
  progressText,
  progressValue,
  refusalText,
  trainingOptions,
} from "../../static/js/training/text.js";

test("the form's choices become the job's options, epochs as a number", () => {
  const options = trainingOptions([
    ["csrf_token", "tok"],
    ["layer", "gold"],
    ["epochs", " 12 "],
  ]);
  assert.deepEqual(options, { layer: "gold", epochs: 12 });
  // Not a number: sent as typed, so that the server names the field.
  assert.deepEqual(trainingOptions([["epochs", "ten"]]), { epochs: "ten" });
});

test("progress says the epochs done, and how the job ended", () => {
  assert.equal(progressText({ status: "queued", progress: {} }), "Training waiting to start…");
  assert.equal(
    progressText({ status: "running", progress: { done: 3, total: 20 } }),
    "Training: 3 of 20 epochs done.",
  );
  assert.equal(
    progressText({ status: "failed", error: "worker stopped" }),
    "The training failed: worker stopped",
  );
  assert.equal(
    progressText({ status: "done", model_version: "abc" }),
    "Model abc is the project's spancat suggester.",
  );
});

test("a cancel that came too late says so beside the model, not 'Cancelling'", () => {
  const job = {
    status: "done",
    model_version: "abc",
    cancel_requested_at: "2026-12-03T21:00:00+00:00",
    cancel_too_late: true,
  };
  assert.equal(progressText(job), `Model abc is the project's spancat suggester. ${TOO_LATE}`);
  assert.match(TOO_LATE, /came too late/);
});

test("a refusal names the field once", () => {
  assert.equal(
    refusalText({ status: 400, body: { error: "a whole number, 1 to 200", field: "epochs" } }),
    "Not started: epochs: a whole number, 1 to 200",
  );
  assert.equal(
    refusalText({ status: 409, body: { error: "a training of this project is already running (job 4)" } }),
    "Not started: a training of this project is already running (job 4)",
  );
  assert.equal(refusalText({ status: 0, body: null }), "Not started: the server answered 0");
});

test("a cancel asked says the training is stopping, and a cancelled one who stopped it", () => {
  const asked = { status: "running", progress: { done: 1, total: 5 }, cancel_requested_at: "2026-12-03T19:00:00+00:00" };
  assert.equal(progressText(asked), CANCELLING);
  assert.equal(cancellable(asked), false);
  assert.equal(cancellable({ status: "queued" }), true);
  assert.equal(cancellable({ status: "running", cancel_requested_at: null }), true);
  assert.equal(cancellable({ status: "done" }), false);
  assert.equal(
    progressText({ status: "cancelled", cancelled_by: "padmin" }),
    "The training was cancelled by padmin.",
  );
  assert.equal(progressText({ status: "cancelled", cancelled_by: null }), "The training was cancelled.");
  assert.equal(
    cancelRefusalText({ status: 409, body: { error: "training job 3 is already done" } }),
    "Not cancelled: training job 3 is already done",
  );
});

test("a cancelled job has ended: following it stops", () => {
  assert.equal(ended({ status: "cancelled" }), true);
  assert.equal(ended({ status: "running", cancel_requested_at: "x" }), false);
});

test("within an epoch the documents done are said, and the bar counts them", () => {
  const job = {
    status: "running",
    progress: { done: 2, total: 20, epoch_documents_done: 120, epoch_documents_total: 400 },
  };
  assert.equal(progressText(job), "Training: 2 of 20 epochs done. Epoch 3: 120 of 400 documents.");
  assert.equal(progressValue(job), 2.3);
  // Not started or finished within the epoch: the epochs say it all.
  for (const inEpoch of [0, 400]) {
    const at = { status: "running", progress: { ...job.progress, epoch_documents_done: inEpoch } };
    assert.equal(progressText(at), "Training: 2 of 20 epochs done.");
    assert.equal(progressValue(at), 2);
  }
  assert.equal(progressValue({ status: "queued", progress: {} }), 0);
});
