// The Exports form's choices as the JSON options of an export job, and the
// words shown while a job runs. Pure: no DOM, tested with node --test.

import { refusalReason } from "../lib/http.js";

const WHOLE = /^-?\d+$/;

// A number typed in a text box: the number, or the text as typed, so that the
// server names the field and says what it expected.
function numberOr(text) {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) ? value : text;
}

// Choices that apply to the doccano format only (the server refuses them for
// any other format).
const DOCCANO_ONLY = ["offsets", "doccano_shape"];

// entries: [name, value] pairs as FormData gives them.
export function exportOptions(entries) {
  const options = { labels: [] };
  for (const [name, raw] of entries) {
    const value = typeof raw === "string" ? raw : "";
    if (name === "csrf_token") continue;
    if (name === "labels") {
      options.labels.push(value);
    } else if (name === "real_names") {
      options.real_names = true;
    } else if (name === "min_annotators" || name === "seed") {
      if (value.trim() !== "") options[name] = WHOLE.test(value.trim()) ? Number(value) : value;
    } else if (name === "min_agreement") {
      if (value.trim() !== "") options[name] = numberOr(value);
    } else if (name === "split") {
      if (value.trim() !== "") options.split = value.trim();
    } else {
      options[name] = value;
    }
  }
  if (options.format !== "doccano") {
    for (const name of DOCCANO_ONLY) delete options[name];
  }
  return options;
}

export function progressText(job) {
  const { done, total } = job.progress ?? {};
  if (job.status === "queued") return "Export waiting to start…";
  if (job.status === "running") {
    return total ? `Exporting: ${done} of ${total} documents read.` : "Exporting…";
  }
  if (job.status === "failed") return `Nothing was exported: ${job.error ?? "the export failed"}`;
  return "Your export is ready:";
}

// The message of a refused submit: the server's, naming the field once.
export function refusalText(answer) {
  return `Nothing was exported: ${refusalReason(answer)}`;
}
