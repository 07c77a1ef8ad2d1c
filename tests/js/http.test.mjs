import { test } from "node:test";
import assert from "node:assert/strict";
import { requestJson, getJson, postJson, csrfToken } from "../../static/js/lib/http.js";

function recorder(status, text) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    return {
      status,
      ok: status >= 200 && status < 300,
      json: async () => JSON.parse(text),
    };
  };
  return { calls, fetchImpl };
}

test("a write sends the CSRF token, JSON body and same-origin credentials", async () => {
  const { calls, fetchImpl } = recorder(200, '{"ok": true}');
  const answer = await postJson("/api/x", { a: 1 }, { fetchImpl, token: "tok" });
  assert.deepEqual(answer, { status: 200, ok: true, body: { ok: true } });
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.headers["X-CSRFToken"], "tok");
  assert.equal(calls[0].init.headers["Content-Type"], "application/json");
  assert.equal(calls[0].init.credentials, "same-origin");
  assert.equal(calls[0].init.body, '{"a":1}');
});

test("a read sends no token and no body", async () => {
  const { calls, fetchImpl } = recorder(200, "[]");
  await getJson("/api/y", { fetchImpl, token: "tok" });
  assert.equal(calls[0].init.headers["X-CSRFToken"], undefined);
  assert.equal(calls[0].init.body, undefined);
});

test("a non-JSON answer gives body null and keeps the status", async () => {
  const { fetchImpl } = recorder(502, "<html>bad gateway</html>");
  const answer = await requestJson("/api/z", { method: "DELETE", fetchImpl, token: "t" });
  assert.deepEqual(answer, { status: 502, ok: false, body: null });
});

test("the token is read from the page's meta tag", () => {
  const doc = { querySelector: (s) => (s === 'meta[name="csrf-token"]' ? { content: "m" } : null) };
  assert.equal(csrfToken(doc), "m");
  assert.equal(csrfToken({ querySelector: () => null }), "");
});
