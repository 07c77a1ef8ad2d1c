/* The Exports page: the form starts an export job through the JSON API
 * (POST /api/v1/projects/<id>/exports), the status box shows its progress
 * while the page polls the job, then the download link, and the list of
 * past exports is reloaded. Without this script the form posts to the page,
 * which shows the job's progress and a "Check again" link. */
import { postJson } from "../lib/http.js";
import { ended, followJob, UNREACHABLE } from "../jobs/follow.js";
import {
  clear,
  markInvalid,
  refreshFromPage,
  showProblem as showProblemIn,
  showProgress as showProgressIn,
} from "../jobs/progress.js";
import { exportOptions, progressText, refusalText } from "./options.js";

const form = document.getElementById("export-form");
const box = document.getElementById("export-status");
const button = form?.querySelector("button[type=submit]");

function hideOldResults() {
  for (const id of ["export-problem", "export-latest"]) {
    document.getElementById(id)?.remove();
  }
}

function showProgress(job) {
  const { done, total } = job.progress ?? {};
  showProgressIn(box, "export", progressText(job), done, total);
}

function showReady(job) {
  clear(box);
  const line = document.createElement("p");
  const link = document.createElement("a");
  link.href = job.download_url;
  link.setAttribute("download", "");
  link.textContent = job.export?.archive ?? "Download the export";
  line.append(`${progressText(job)} `, link);
  if (job.export) {
    line.append(` (${job.export.documents} documents, ${job.export.spans} spans).`);
  }
  box.append(line);
  box.classList.add("latest");
  box.hidden = false;
}

function showProblem(text) {
  showProblemIn(box, text);
  box.classList.remove("latest");
}

function finished(job) {
  if (button) button.disabled = false;
  if (job.status === "done") {
    showReady(job);
    refreshFromPage(["past-exports"]).catch(() => {});
  } else {
    showProblem(progressText(job));
  }
}

function follow(url) {
  followJob(url, {
    onProgress: showProgress,
    onFinished: finished,
    onRefused(answer) {
      showProblem(refusalText(answer));
      if (button) button.disabled = false;
    },
  });
}

async function submit(event) {
  event.preventDefault();
  hideOldResults();
  if (button) button.disabled = true;
  box.classList.remove("latest");
  showProgress({ status: "queued", progress: {} });
  box.scrollIntoView({ block: "nearest" });
  let answer;
  try {
    answer = await postJson(form.dataset.jobsUrl, exportOptions(new FormData(form)));
  } catch {
    answer = UNREACHABLE;
  }
  markInvalid(form, answer.status === 400 ? answer.body?.field : null);
  if (answer.status !== 202) {
    showProblem(refusalText(answer));
    if (button) button.disabled = false;
    return;
  }
  const job = answer.body;
  if (ended(job)) finished(job);
  else follow(job.url);
}

if (form && box) {
  form.addEventListener("submit", submit);
  // A job started without the script (or before a reload): follow it here.
  if (box.dataset.jobUrl) {
    document.getElementById("export-check-again")?.remove();
    if (button) button.disabled = true;
    follow(box.dataset.jobUrl);
  }
}
