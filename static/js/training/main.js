/* The Suggestions page's training: the form starts a training job through
 * the JSON API (POST /api/v1/projects/<id>/trainings), the status box shows
 * the epochs done while the page polls the job, and when it ends the box
 * and the suggesters table are fetched again from the page (one rendering
 * of the figures, the server's). Without this script the form posts to the
 * page, which shows the job and a "Check again" link. */
import { postJson } from "../lib/http.js";
import { ended, followJob, UNREACHABLE } from "../jobs/follow.js";
import { markInvalid, refreshFromPage, showProblem, showProgress } from "../jobs/progress.js";
import { progressText, refusalText, trainingOptions } from "./text.js";

const form = document.getElementById("training-form");
const box = document.getElementById("training-status");
const button = form?.querySelector("button[type=submit]");

function progress(job) {
  const { done, total } = job.progress ?? {};
  showProgress(box, "training", progressText(job), job.status === "running" ? done : 0, total);
}

function refused(answer) {
  if (button) button.disabled = false;
  showProblem(box, refusalText(answer));
  markInvalid(form, answer.status === 400 ? answer.body?.field : null);
}

async function finished(job) {
  if (button) button.disabled = false;
  try {
    await refreshFromPage(["training-status", "suggesters", "earlier-trainings"], ["training-status"]);
  } catch {
    showProblem(box, progressText(job));
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
    document.getElementById("training-check-again")?.remove();
    follow(box.dataset.jobUrl);
  }
}
