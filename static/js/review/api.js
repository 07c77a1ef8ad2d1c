// The review page's calls to the JSON API, through the one fetch/CSRF helper
// (static/js/lib/http.js). Every decision names the version it was made on.

import { getJson, postJson } from "../lib/http.js";

export function reviewApi(url, namesShown) {
  const query = namesShown ? "?names=shown" : "";
  return {
    /** The document's review state; throws when the server does not answer. */
    async load() {
      const response = await getJson(url + query);
      if (!response.ok || !response.body) throw new Error(`loading failed (${response.status})`);
      return response.body;
    },
    /** POST one decision: {status, ok, body} as the server answered. */
    decide(name, body, version) {
      return postJson(`${url}/${name}`, { ...body, version });
    },
  };
}

/** The message of a refusal, naming the field when the server does. */
export function refusal(response) {
  const body = response.body ?? {};
  const field = body.field ? ` (${body.field})` : "";
  return (body.error || `refused (${response.status})`) + field;
}
