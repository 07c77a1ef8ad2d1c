// The words the Suggestions page shows while a training job runs, and for a
// refused start. Pure: no DOM, tested with node --test.

import { refusalReason } from "../lib/http.js";

export const CANCELLING = "Cancelling: the training stops after its current step…";
export const TOO_LATE =
  "The cancel came too late: the model was already being registered, so the training ended done.";

// Whether the job may still be cancelled (queued or running, not asked yet).
export function cancellable(job) {
  return (job.status === "queued" || job.status === "running") && !job.cancel_requested_at;
}

// How much of the epoch under way is done, 0 to below 1 (0 when unknown or
// finished: the epoch count says it then).
export function epochShare(job) {
  const { epoch_documents_done: inEpoch, epoch_documents_total: size } = job.progress ?? {};
  return size && inEpoch > 0 && inEpoch < size ? inEpoch / size : 0;
}

// The bar's value: epochs done and the share of the one under way.
export function progressValue(job) {
  if (job.status !== "running") return 0;
  return (job.progress?.done ?? 0) + epochShare(job);
}

export function progressText(job) {
  const { done, total } = job.progress ?? {};
  if (job.status === "cancelled") {
    return `The training was cancelled${job.cancelled_by ? ` by ${job.cancelled_by}` : ""}.`;
  }
  const underWay = job.status === "queued" || job.status === "running";
  if (job.cancel_requested_at && underWay) return CANCELLING;
  if (job.status === "queued") return "Training waiting to start…";
  if (job.status === "running") {
    const line = `Training: ${done ?? 0} of ${total ?? "?"} epochs done.`;
    const share = epochShare(job);
    if (!share) return line;
    const { epoch_documents_done: inEpoch, epoch_documents_total: size } = job.progress;
    return `${line} Epoch ${(done ?? 0) + 1}: ${inEpoch} of ${size} documents.`;
  }
  if (job.status === "failed") return `The training failed: ${job.error ?? "no reason given"}`;
  const line = `Model ${job.model_version} is the project's spancat suggester.`;
  return job.cancel_too_late ? `${line} ${TOO_LATE}` : line;
}

// The form's choices as the job's JSON options.
export function trainingOptions(entries) {
  const options = {};
  for (const [name, raw] of entries) {
    const value = typeof raw === "string" ? raw.trim() : "";
    if (name === "layer") options.layer = value;
    if (name === "epochs") options.epochs = /^\d+$/.test(value) ? Number(value) : value;
  }
  return options;
}

// The message of a refused start: the server's, naming the field once.
export function refusalText(answer) {
  return `Not started: ${refusalReason(answer)}`;
}

// The message of a refused cancel.
export function cancelRefusalText(answer) {
  return `Not cancelled: ${refusalReason(answer)}`;
}
