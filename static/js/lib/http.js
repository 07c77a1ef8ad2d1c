// The one place the pages talk JSON to the server: the CSRF token comes from
// the page's <meta name="csrf-token"> (templates/base.html), every write
// sends it as X-CSRFToken, and every answer comes back as {status, ok, body}
// with body null when the server did not answer JSON.

export function csrfToken(doc = globalThis.document) {
  const meta = doc?.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function requestJson(url, { method = "GET", body, fetchImpl = fetch, token } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = token ?? csrfToken();
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetchImpl(url, init);
  const data = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, body: data };
}

export const getJson = (url, options = {}) => requestJson(url, { ...options, method: "GET" });
export const postJson = (url, body, options = {}) =>
  requestJson(url, { ...options, method: "POST", body });

// Why the server refused a request, naming the field once ("epochs: a whole
// number…"), or that it answered nothing readable.
export function refusalReason(answer) {
  const body = answer?.body ?? {};
  const why = body.error ?? `the server answered ${answer?.status ?? "nothing"}`;
  const named = !body.field || why.startsWith(body.field);
  return named ? why : `${body.field}: ${why}`;
}
