/* The Suggestions page's training: the form starts a training job through
 * the JSON API (POST /api/v1/projects/<id>/trainings), the status box shows
 * the epochs done while the page polls the job, and when it ends the box
 * and the suggesters table are fetched again from the page (one rendering
 * of the figures, the server's). Without this script the form posts to the
 * page, which shows the job and a "Check again" link. While the job waits
 * or runs, a "Cancel training" button (the page's form, or one made here for
 * a job started here) asks the API to cancel it; the poll then sees it
 * cancelled. */
import { postJson } from "../lib/http.js";
import { ended, followJob, UNREACHABLE } from "../jobs/follow.js";
import { markInvalid, refreshFromPage, showProblem, showProgress } from "../jobs/progress.js";
import {
  CANCELLING,
  cancellable,
  cancelRefusalText,
  progressText,
  progressValue,
  refusalText,
  trainingOptions,
} from "./text.js";

const form = document.getElementById("training-form");
const box = document.getElementById("training-status");
const button = form?.querySelector("button[type=submit]");

function progress(job) {
  const { total } = job.progress ?? {};
  showProgress(box, "training", progressText(job), progressValue(job), total);
  cancelControl(job);
}

// The Cancel button under the progress bar: the page's form when the page
// showed the job, else one made for it; once asked, it says so and stays
// (disabled by aria-disabled, so that keyboard focus is not lost).
function cancelControl(job) {
  let cancel = document.getElementById("training-cancel");
  if (!cancel && job.url && cancellable(job)) {
    cancel = document.createElement("form");
    cancel.id = "training-cancel";
    cancel.className = "job-cancel";
    cancel.dataset.cancelUrl = `${job.url}/cancel`;
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "danger";
    button.textContent = "Cancel training";
    cancel.append(button);
    box.append(cancel);
  }
  if (!cancel) return;
  if (!cancel.dataset.wired) {
    cancel.dataset.wired = "yes";
    cancel.addEventListener("submit", askCancel);
  }
  if (!cancellable(job)) markCancelling(cancel);
}

function markCancelling(cancel) {
  const button = cancel.querySelector("button");
  if (!button) return;
  button.setAttribute("aria-disabled", "true");
  button.textContent = "Cancelling…";
}

async function askCancel(event) {
  event.preventDefault();
  const cancel = event.currentTarget;
  const button = cancel.querySelector("button");
  if (button?.getAttribute("aria-disabled") === "true") return;
  markCancelling(cancel);
  const line = document.getElementById("training-progress-text");
  if (line) line.textContent = CANCELLING;
  let answer;
  try {
    answer = await postJson(cancel.dataset.cancelUrl, {});
  } catch {
    answer = UNREACHABLE;
  }
  if (answer.status === 202) {
    if (ended(answer.body)) finished(answer.body);
    else progress(answer.body);
  } else if (answer.status === 409) {
    // It ended meanwhile: the page says how; if the page cannot be fetched
    // either, the server's reason (the answer is an error, not the job).
    finished(null, cancelRefusalText(answer));
  } else {
    cancelRefused(cancel, cancelRefusalText(answer));
  }
}

// A refused cancel: said above the status box (which the poll rewrites),
// and the button may be pressed again.
function cancelRefused(cancel, text) {
  let problem = document.getElementById("training-cancel-problem");
  if (!problem) {
    problem = document.createElement("p");
    problem.id = "training-cancel-problem";
    problem.className = "problems";
    problem.setAttribute("role", "alert");
    box.before(problem);
  }
  problem.textContent = text;
  const button = cancel.querySelector("button");
  if (button) {
    button.removeAttribute("aria-disabled");
    button.textContent = "Cancel training";
  }
}

function refused(answer) {
  if (button) button.disabled = false;
  showProblem(box, refusalText(answer));
  markInvalid(form, answer.status === 400 ? answer.body?.field : null);
}

async function finished(job, otherwise = null) {
  if (button) button.disabled = false;
  document.getElementById("training-cancel-problem")?.remove();
  try {
    await refreshFromPage(["training-status", "suggesters", "earlier-trainings"], ["training-status"]);
  } catch {
    showProblem(box, otherwise ?? progressText(job));
  }
}

function follow(url) {
  if (button) button.disabled = true;
  followJob(url, { onProgress: progress, onFinished: finished, onRefused: refused });
}

async function submit(event) {
  event.preventDefault();
  document.getElementById("training-problem")?.remove();
  if (button) button.disabled = true;
  progress({ status: "queued", progress: {} });
  let answer;
  try {
    answer = await postJson(form.dataset.jobsUrl, trainingOptions(new FormData(form)));
  } catch {
    answer = UNREACHABLE;
  }
  if (answer.status !== 202) {
    refused(answer);
    return;
  }
  if (ended(answer.body)) finished(answer.body);
  else follow(answer.body.url);
}

if (form && box) {
  form.addEventListener("submit", submit);
  // A job started without the script (or before a reload): follow it here.
  if (box.dataset.jobUrl) {
    document.getElementById("training-cancel")?.addEventListener("submit", askCancel);
    document.getElementById("training-cancel")?.setAttribute("data-wired", "yes");
    document.getElementById("training-check-again")?.remove();
    follow(box.dataset.jobUrl);
  }
}
