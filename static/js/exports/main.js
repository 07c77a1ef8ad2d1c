/* The Exports page: the form starts an export job through the JSON API
 * (POST /api/v1/projects/<id>/exports), the status box shows its progress
 * while the page polls the job, then the download link, and the list of
 * past exports is reloaded. Without this script the form posts to the page,
 * which shows the job's progress and a "Check again" link. */
import { getJson, postJson } from "../lib/http.js";
import { exportOptions, progressText, refusalText } from "./options.js";

const POLL_MS = 1000;

const form = document.getElementById("export-form");
const box = document.getElementById("export-status");
const button = form?.querySelector("button[type=submit]");

function clear(element) {
  while (element.firstChild) element.firstChild.remove();
}

function hideOldResults() {
  for (const id of ["export-problem", "export-latest"]) {
    document.getElementById(id)?.remove();
  }
}

function showProgress(job) {
  let text = document.getElementById("export-progress-text");
  let bar = document.getElementById("export-progress");
  if (!text || !bar) {
    clear(box);
    text = document.createElement("p");
    text.id = "export-progress-text";
    bar = document.createElement("progress");
    bar.id = "export-progress";
    bar.setAttribute("aria-labelledby", text.id);
    box.append(text, bar);
  }
  text.textContent = progressText(job);
  const { done, total } = job.progress ?? {};
  if (total) {
    bar.max = total;
    bar.value = done;
  } else {
    bar.removeAttribute("value");
  }
  box.hidden = false;
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

function markField(name) {
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  if (!name) return;
  for (const field of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
    field.setAttribute("aria-invalid", "true");
  }
}

function showProblem(text) {
  clear(box);
  const line = document.createElement("p");
  line.className = "problems";
  line.textContent = text;
  box.append(line);
  box.classList.remove("latest");
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

async function reloadPastExports() {
  const response = await fetch(window.location.pathname, { credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("past-exports");
  const current = document.getElementById("past-exports");
  if (fresh && current) current.replaceWith(document.importNode(fresh, true));
}

function finished(job) {
  if (button) button.disabled = false;
  if (job.status === "done") {
    showReady(job);
    reloadPastExports().catch(() => {});
  } else {
    showProblem(progressText(job));
  }
}

async function follow(url) {
  let answer;
  try {
    answer = await getJson(url);
  } catch {
    answer = null;
  }
  if (!answer?.ok) {
    showProblem(refusalText(answer ?? { status: 0, body: { error: "the server could not be reached" } }));
    if (button) button.disabled = false;
    return;
  }
  const job = answer.body;
  if (job.status === "done" || job.status === "failed") {
    finished(job);
  } else {
    showProgress(job);
    setTimeout(() => follow(url), POLL_MS);
  }
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
    answer = { status: 0, body: { error: "the server could not be reached" } };
  }
  markField(answer.status === 400 ? answer.body?.field : null);
  if (answer.status !== 202) {
    showProblem(refusalText(answer));
    if (button) button.disabled = false;
    return;
  }
  const job = answer.body;
  if (job.status === "done" || job.status === "failed") finished(job);
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
