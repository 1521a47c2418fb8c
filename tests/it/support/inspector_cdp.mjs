// Drives the inspector page (`/admin/ui`) in headless Chromium through the
// DevTools protocol (Node's built-in WebSocket and fetch; no npm package).
// Run by tests/it/inspector.rs with: CHROMIUM, BASE (http://127.0.0.1:P),
// ADMIN (admin token), SCIM_TOKEN, PROFILE (empty dir), SHOTS (dir for PNGs).
// Prints one line per step; exits 1 with the reason on the first failure.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const env = (k) => { const v = process.env[k]; if (!v) throw new Error("missing env " + k); return v; };
const CHROMIUM = env("CHROMIUM"), BASE = env("BASE"), ADMIN = env("ADMIN");
const SCIM_TOKEN = env("SCIM_TOKEN"), PROFILE = env("PROFILE"), SHOTS = env("SHOTS");
const OKTA_UA = "Okta SCIM Client 1.0.0";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const chrome = spawn(CHROMIUM, [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--remote-debugging-port=0", "--user-data-dir=" + PROFILE, "about:blank",
], { stdio: "ignore" });
const deadline = setTimeout(() => fail("the whole scenario took over 120 s"), 120000);
function fail(msg) {
  console.log("FAIL: " + msg);
  try { chrome.kill("SIGKILL"); } catch (_) { /* already gone */ }
  process.exit(1);
}

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e.message; }
    await sleep(100);
  }
  fail("timed out waiting for " + what + " (last: " + JSON.stringify(last) + ")");
}

async function main() {
  const portFile = join(PROFILE, "DevToolsActivePort");
  const port = await until("DevToolsActivePort", () =>
    existsSync(portFile) && readFileSync(portFile, "utf8").split("\n")[0].trim(), 30000);
  const targets = await until("a page target", async () => {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    return list.find((t) => t.type === "page");
  });
  const ws = new WebSocket(targets.webSocketDebuggerUrl);
  await new Promise((ok, ko) => { ws.onopen = ok; ws.onerror = () => ko(new Error("websocket")); });
  let nextId = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && pending.has(msg.id)) {
      const { ok, ko } = pending.get(msg.id);
      pending.delete(msg.id);
      msg.error ? ko(new Error(JSON.stringify(msg.error))) : ok(msg.result);
    }
  };
  const send = (method, params = {}) => new Promise((ok, ko) => {
    const id = ++nextId;
    pending.set(id, { ok, ko });
    ws.send(JSON.stringify({ id, method, params }));
  });
  const js = async (expr) => {
    const r = await send("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description || "js error");
    return r.result.value;
  };
  const shot = async (name) => {
    const r = await send("Page.captureScreenshot", { format: "png" });
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, name), Buffer.from(r.data, "base64"));
    console.log("screenshot " + name);
  };
  const scim = (method, path, body, token = SCIM_TOKEN) => fetch(BASE + "/scim/v2" + path, {
    method,
    headers: { "Authorization": "Bearer " + token, "User-Agent": OKTA_UA,
      "Content-Type": "application/scim+json", "Accept": "application/scim+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = (id) => js(`document.getElementById(${JSON.stringify(id)}).textContent`);
  const visible = (id) => js(`!document.getElementById(${JSON.stringify(id)}).classList.contains("hidden")`);
  const login = (token) => js(`(() => { document.getElementById("admin-token").value = ${JSON.stringify(token)};
    document.getElementById("login").requestSubmit(); return true; })()`);

  await send("Page.enable");
  await send("Runtime.enable");
  await send("Emulation.setDeviceMetricsOverride", { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false });
  await send("Page.navigate", { url: BASE + "/admin/ui" });
  await until("the page", () => js(`document.readyState === "complete" && !!document.getElementById("login")`));

  // A wrong admin token sees nothing.
  await login("not-the-admin-token");
  await until("the 401 error", async () => (await text("error")).includes("401"));
  if (await visible("tabs")) fail("tabs shown after a wrong admin token");
  if (await visible("feed")) fail("feed shown after a wrong admin token");
  await shot("inspector-login-refused.png");
  console.log("wrong admin token refused");

  await login(ADMIN);
  await until("the feed after login", () => visible("feed"));
  console.log("logged in");

  // An Okta create then deactivation, with markup in the names.
  const created = await scim("POST", "/Users", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "ada<b>bold</b>@example.com",
    displayName: "<script>window.__pwned = 1</script>Ada",
    name: { givenName: "Ada", familyName: "Lovelace" },
    emails: [{ value: "ada@example.com", primary: true, type: "work" }],
    active: true,
  });
  if (created.status !== 201) fail("create answered " + created.status);
  const user = await created.json();
  const patched = await scim("PATCH", "/Users/" + user.id, {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "replace", value: { active: false } }],
  });
  if (patched.status !== 200) fail("deactivation answered " + patched.status);

  const row = (method) => `[...document.querySelectorAll("#feed-body tr")].find((tr) => tr.children[3].textContent === ${JSON.stringify(method)})`;
  await until("the PATCH in the feed", () => js(`!!${row("PATCH")}`));
  const cells = await js(`[...${row("PATCH")}.children].map((td) => td.textContent)`);
  if (cells[1] !== "default" || cells[2] !== "okta" || cells[5] !== "200") fail("PATCH row: " + JSON.stringify(cells));
  await js(`${row("PATCH")}.click(), true`);
  await until("the diff", async () => (await text("diff")).includes("active: true → false"));
  const reqHeaders = await text("req-headers");
  if (reqHeaders.includes(SCIM_TOKEN) || !reqHeaders.includes("Bearer ***")) fail("request headers not redacted: " + reqHeaders);
  await shot("inspector-feed-diff.png");
  console.log("PATCH diff shows active: true → false");

  // Markup from the request is text, never elements.
  await js(`${row("POST")}.click(), true`);
  await until("the POST body", async () => (await text("req-body")).includes("<script>window.__pwned = 1</script>Ada"));
  const injected = await js(`({ scripts: document.scripts.length, bold: document.querySelectorAll("b").length, pwned: window.__pwned === 1 })`);
  if (injected.scripts !== 1 || injected.bold !== 0 || injected.pwned) fail("markup was rendered: " + JSON.stringify(injected));
  console.log("request markup shown as text");

  // Users & Groups: searchable, with history.
  await js(`document.querySelector('#tabs button[data-tab="resources"]').click(), true`);
  await js(`document.getElementById("res-search").value = "lovelace"; document.getElementById("res-go").click(), true`);
  await until("the user in the list", () => js(`[...document.querySelectorAll("#res-list tr")].some((tr) => tr.textContent.includes("ada<b>bold</b>@example.com"))`));
  await js(`document.querySelector("#res-list tr").click(), true`);
  await until("the user's history", async () => (await text("res-history")).includes("active: true → false"));
  if (await js(`document.querySelectorAll("b").length`) !== 0) fail("markup rendered in the users list");
  await shot("inspector-user-history.png");
  console.log("user history shows the deactivation");

  // Tokens: create (shown once), use, revoke, refused.
  await js(`document.querySelector('#tabs button[data-tab="tokens"]').click(), true`);
  await js(`document.getElementById("tok-name").value = "Okta Token"; document.getElementById("tok-create").click(), true`);
  const plain = await until("the new token", async () => (await text("tok-plain")).trim());
  const before = await scim("GET", "/Users?count=1", undefined, plain);
  if (before.status !== 200) fail("new token answered " + before.status);
  const revokeRow = `[...document.querySelectorAll("#tok-list tr")].find((tr) => tr.dataset.name === "Okta Token")`;
  await until("the token row", () => js(`!!${revokeRow}`));
  await js(`${revokeRow}.querySelector("button.revoke").click(), true`);
  await until("the token revoked", () => js(`${revokeRow}?.querySelector(".state")?.textContent === "revoked"`));
  const after = await scim("GET", "/Users?count=1", undefined, plain);
  if (after.status !== 401) fail("revoked token answered " + after.status);
  // The plaintext must not end up in a file: blank it before the screenshot.
  await js(`document.getElementById("tok-plain").textContent = "(token hidden in this screenshot)", true`);
  await shot("inspector-tokens.png");
  console.log("token created, used (200), revoked, refused (401)");

  await js(`document.querySelector('#tabs button[data-tab="settings"]').click(), true`);
  await until("the settings", async () => (await js(`document.getElementById("cfg-default-role").value`)) !== "");
  await shot("inspector-settings.png");

  ws.close();
  chrome.kill("SIGKILL");
  clearTimeout(deadline);
  console.log("OK");
}
main().catch((e) => fail(e.stack || String(e)));
