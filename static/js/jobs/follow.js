/* Following a background job (an export, a training) through the JSON API:
 * poll its address until it is done, failed or cancelled. The same for every kind of
 * job; what the page shows is the caller's. */
import { getJson } from "../lib/http.js";

export const POLL_MS = 1000;
export const UNREACHABLE = { status: 0, body: { error: "the server could not be reached" } };

export function ended(job) {
  return job.status === "done" || job.status === "failed" || job.status === "cancelled";
}

// Calls onProgress(job) while the job waits or runs, then onFinished(job)
// once; onRefused(answer) if the server refuses or cannot be reached.
export async function followJob(url, { onProgress, onFinished, onRefused }, pollMs = POLL_MS) {
  let answer;
  try {
    answer = await getJson(url);
  } catch {
    answer = null;
  }
  if (!answer?.ok) {
    onRefused(answer ?? UNREACHABLE);
    return;
  }
  const job = answer.body;
  if (ended(job)) {
    onFinished(job);
  } else {
    onProgress(job);
    setTimeout(() => followJob(url, { onProgress, onFinished, onRefused }, pollMs), pollMs);
  }
}
