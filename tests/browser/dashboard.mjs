// The dashboard in headless Chromium (Debian's, driven by playwright-core):
// sign in, the functions list, a syntax error shown at its line and not
// deployed, a deploy, a test run, a trigger seen in the live tail within
// 2 s, its detail, a rollback, a read-only key refused; a screenshot of
// each page.
//
// Run by tests/tests/dashboard.rs with CHATFN_URL, CHATFN_KEY,
// CHATFN_SCREENSHOTS (a directory) and CHATFN_PLAYWRIGHT (a directory with
// node_modules/playwright-core).

import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";

const base = process.env.CHATFN_URL;
const key = process.env.CHATFN_KEY;
const shots = process.env.CHATFN_SCREENSHOTS;
const { chromium } = await import(
  pathToFileURL(path.join(process.env.CHATFN_PLAYWRIGHT, "node_modules/playwright-core/index.mjs")).href
);

async function api(method, route, body) {
  const response = await fetch(base + route, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

let current = "starting";
function step(name) {
  current = name;
  console.log(`dashboard: ${name}`);
}

// A function with a first version, as a user would have before opening the
// dashboard.
const created = await api("POST", "/v1/runtimes/nodejs/functions", {
  type: "user.attempted.start_session",
  name: "Check sign-ins",
});
assert.equal(created.status, 201, JSON.stringify(created.body));
const fid = created.body.id;
const v1 = await api("POST", `/v1/functions/${fid}/versions`, {
  handlerScript: 'async function handleEvent(event) {\n  return "v1 " + event.username;\n}\n',
});
assert.equal(v1.status, 201, JSON.stringify(v1.body));
await api("POST", "/v1/triggers/user.attempted.start_session", { username: "first" });

const browser = await chromium.launch({
  executablePath: process.env.CHATFN_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const failures = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Tokyo" });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const origin = new URL(base).origin;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin && url.protocol !== "data:") failures.push(`a request left the server: ${request.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) failures.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
  const nav = (name) => page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name }).click();
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  step("sign in");
  await page.goto(base + "/");
  await page.getByLabel("Application key").fill("not-a-key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("That key is not valid.").waitFor();
  await shot("sign-in");
  await page.getByLabel("Application key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();

  step("the functions list");
  await page.getByRole("heading", { name: "Functions" }).waitFor();
  const row = page.getByRole("row").filter({ hasText: "Check sign-ins" });
  await row.waitFor();
  assert.match(await row.innerText(), /user\.attempted\.start_session/);
  assert.match(await row.innerText(), /v1/);
  await shot("functions");

  step("a syntax error, shown at its line, not deployed");
  await row.getByRole("link", { name: "Check sign-ins" }).click();
  await page.getByRole("heading", { name: "New version" }).waitFor();
  const editor = page.getByRole("textbox", { name: "Handler source (TypeScript)" });
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  // CodeMirror closes brackets as they are typed; insertText does not.
  await page.keyboard.insertText('async function handleEvent(event: { username: string }) {\n  const greeting = "v2 " +;\n  return greeting;\n}\n');
  const check = page.getByRole("status").filter({ hasText: /Line 2/ });
  await check.waitFor();
  assert.match(await check.innerText(), /Line 2:\d+/);
  await page.locator(".cm-lintRange-error").first().waitFor();
  await shot("function-syntax-error");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "CompileError" }).waitFor();
  const afterBad = await api("GET", `/v1/functions/${fid}/versions`);
  assert.equal(afterBad.body.page.totalElements, 1, "the broken version was not stored");

  step("deploy a working version");
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText('async function handleEvent(event: { username: string }) {\n  console.log("signing in", event.username);\n  return "v2 " + event.username;\n}\n');
  await page.getByText("Compiles and loads.").waitFor();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByText("Deployed v2 (current).").waitFor();
  await page.getByRole("row").filter({ hasText: "v2" }).filter({ hasText: "current" }).waitFor();

  step("test-run it");
  await page.getByLabel("Version", { exact: true }).selectOption("2");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const outcome = page.locator(".outcome");
  await outcome.getByText("SUCCEEDED").waitFor();
  assert.match(await outcome.innerText(), /"v2 jane@example\.com"/, "the result, from the sample event");
  assert.match(await outcome.innerText(), /signing in jane@example\.com/, "the handler's log line");
  await shot("function");

  step("diff two versions");
  await page.getByLabel("From").selectOption("1");
  await page.getByLabel("To").selectOption("2");
  await page.getByRole("button", { name: "Show diff" }).click();
  await page.locator(".cm-mergeView").waitFor();
  await page.locator(".cm-changedLine").first().waitFor();

  step("a trigger appears in the live tail within 2 s");
  await nav("Live tail");
  await page.getByText("Live", { exact: true }).waitFor();
  const fired = Date.now();
  const trigger = await api("POST", "/v1/triggers/user.attempted.start_session", { username: "tailed-user" });
  assert.equal(trigger.status, 200, JSON.stringify(trigger.body));
  const id = String(trigger.body.invocationId);
  const tailed = page.getByRole("row").filter({ hasText: "signing in tailed-user" });
  await tailed.waitFor({ timeout: 2000 });
  console.log(`dashboard: seen in the tail after ${Date.now() - fired} ms`);
  await shot("tail");

  step("pause holds new ones back");
  await page.getByRole("button", { name: "Pause" }).click();
  await api("POST", "/v1/triggers/user.attempted.start_session", { username: "held-user" });
  await page.getByText(/paused, 1 held/).waitFor();
  assert.equal(await page.getByRole("row").filter({ hasText: "held-user" }).count(), 0);
  await page.getByRole("button", { name: "Resume" }).click();
  await page.getByRole("row").filter({ hasText: "held-user" }).waitFor();

  step("its detail");
  await tailed.getByRole("link", { name: id, exact: true }).click();
  await page.getByRole("heading", { name: `Invocation ${id}` }).waitFor();
  const detail = await page.locator("main").innerText();
  assert.match(detail, /tailed-user/, "the event");
  assert.match(detail, /v2 tailed-user/, "the result");
  assert.match(detail, /signing in tailed-user/, "the logs");
  // Times are shown in the browser's time zone (Tokyo here).
  const created = await page.locator("time").first().getAttribute("datetime");
  const shown = await page.locator("time").first().innerText();
  // The page's locale picks a 12- or 24-hour clock: either is Tokyo's
  // time to the second (comparing a 24-hour "13" with "01:26 PM" failed
  // every Tokyo afternoon).
  const tokyo = [true, false].map((hour12) =>
    new Date(created).toLocaleTimeString("en-US", {
      timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12,
    }).replace(/^24:/, "00:"),
  );
  assert.ok(tokyo.some((t) => shown.includes(t)), `${shown} is in Tokyo time (${tokyo.join(" or ")})`);
  await shot("invocation");

  step("a failure shows its error at the handler's line");
  const bad = await api("POST", `/v1/functions/${fid}/versions`, {
    handlerScript: 'async function handleEvent(event) {\n  if (event.username === "mallory") {\n    throw new Error("denied");\n  }\n  return "v3";\n}\n',
  });
  assert.equal(bad.status, 201, JSON.stringify(bad.body));
  const denied = await api("POST", "/v1/triggers/user.attempted.start_session", { username: "mallory" });
  assert.equal(denied.status, 422);
  const failed = await api("GET", `/v1/functions/${fid}/invocations?status=FAILED`);
  const failedId = failed.body._embedded.invocations[0].id;
  await page.goto(`${base}/#/invocations/${failedId}`);
  await page.locator("pre.source .hit").waitFor();
  assert.match(await page.locator("pre.source .hit").innerText(), /throw new Error\("denied"\)/);

  step("the invocations list and its filters");
  await nav("Invocations");
  await page.getByRole("heading", { name: "Invocations" }).waitFor();
  await page.getByLabel("Status").selectOption("FAILED");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/status=FAILED/);
  await page.locator("main table").getByRole("link", { name: String(failedId), exact: true }).waitFor();
  assert.equal(await page.getByRole("row").filter({ hasText: "SUCCEEDED" }).count(), 0);
  await page.getByLabel("Status").selectOption("");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("row").filter({ hasText: "SUCCEEDED" }).first().waitFor();
  const newest = await api("POST", "/v1/triggers/user.attempted.start_session", { username: "late" });
  await page.getByRole("button", { name: /Show 1 newer invocation/ }).click();
  await page.getByRole("link", { name: String(newest.body.invocationId), exact: true }).waitFor();
  await shot("invocations");

  step("roll back");
  await page.goto(`${base}/#/functions/${fid}`);
  await page.getByRole("button", { name: "Make v1 current" }).click();
  await page.getByText("v1 is current.").waitFor();
  const fn = await api("GET", `/v1/functions/${fid}`);
  assert.equal(fn.body.currentVersionNumber, 1, "rolled back");
  const after = await api("POST", "/v1/triggers/user.attempted.start_session", { username: "ada" });
  assert.deepEqual(after.body.result, { payload: "v1 ada" });

  step("settings: disable, then enable");
  await page.getByLabel("Enabled").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText(/Saved: disabled/).waitFor();
  assert.equal((await api("GET", `/v1/functions/${fid}`)).body.enabled, false);
  await page.getByLabel("Enabled").check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText(/Saved: enabled/).waitFor();

  step("settings: instance reuse");
  await page.getByLabel("Instance reuse").selectOption("sequential");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText(/instance reuse sequential/).waitFor();
  assert.equal((await api("GET", `/v1/functions/${fid}`)).body.instanceReuse, "sequential");
  await api("POST", "/v1/triggers/user.attempted.start_session", { username: "ada" });
  const reused = await api("POST", "/v1/triggers/user.attempted.start_session", { username: "ada" });
  const reusedId = reused.body.invocationId;
  assert.equal((await api("GET", `/v1/invocations/${reusedId}`)).body.reusedInstance, true, "the second sign-in reused the first one's instance");
  await page.goto(`${base}/#/invocations/${reusedId}`);
  await page.getByText(/reused instance/).waitFor();
  await page.goto(`${base}/#/functions/${fid}`);

  step("the runtime page");
  await nav("Runtime");
  await page.getByRole("heading", { name: "Environment variables" }).waitFor();
  await page.getByRole("button", { name: "Add variable" }).click();
  await page.getByLabel("Variable name").last().fill("GREETING");
  await page.getByLabel("Variable value").last().fill("Welcome");
  await page.getByRole("button", { name: "Save variables" }).click();
  await page.getByText(/Environment variables saved/).waitFor();
  assert.equal((await api("GET", "/v1/runtimes/nodejs")).body.environmentVariables.GREETING, "Welcome");
  await page.getByLabel("Secret name").fill("API_TOKEN");
  await page.getByLabel("Secret value").fill("s3cret-value");
  await page.getByRole("button", { name: "Set secret" }).click();
  await page.getByRole("row").filter({ hasText: "API_TOKEN" }).waitFor();
  assert.ok(!(await page.locator("main").innerText()).includes("s3cret-value"), "a secret's value is never shown");
  await page.getByRole("button", { name: "Add package" }).click();
  await page.getByLabel("Package", { exact: true }).last().fill("debug");
  await page.getByLabel("Package version").last().fill("^4");
  await page.getByRole("button", { name: "Install and save" }).click();
  await page.getByText(/Installed in/).waitFor({ timeout: 60_000 });
  await page.getByText(/Resolved tree: 2 packages/).click();
  await page.getByText(/^debug@4\./).waitFor();
  await page.getByText(/^ms@2\./).waitFor();
  await shot("runtime");

  step("the queue page");
  await nav("Queue");
  await page.getByRole("heading", { name: "Failed invocations" }).waitFor();
  await shot("queue");

  step("a narrow window");
  await page.setViewportSize({ width: 390, height: 800 });
  await nav("Functions");
  await page.getByRole("link", { name: "Check sign-ins" }).waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 400, `no sideways scrolling in a narrow window (${width}px)`);
  await shot("functions-narrow");

  step("sign out");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Application key").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, "the key is gone");

  step("a read-only key looks, and its changes are refused");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByLabel("Application key").fill(process.env.CHATFN_READ_ONLY_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("header .badge").filter({ hasText: "read-only" }).waitFor();
  assert.equal(await page.locator("header .app-name").innerText(), "dashboard");
  await page.getByRole("link", { name: "Check sign-ins" }).click();
  await page.getByRole("heading", { name: "Versions" }).waitFor();
  await page.getByRole("button", { name: "Make v2 current" }).click();
  await page.getByRole("alert").filter({ hasText: "ForbiddenError" }).waitFor();
  assert.equal((await api("GET", `/v1/functions/${fid}`)).body.currentVersionNumber, 1, "nothing changed");
} catch (error) {
  // Say where it stopped, and keep a picture of it.
  console.log(`dashboard: failed at "${current}": ${error.message}`);
  const pages = browser.contexts().flatMap((c) => c.pages());
  if (pages[0]) await pages[0].screenshot({ path: path.join(shots, "failure.png"), fullPage: true }).catch(() => {});
  throw error;
} finally {
  await browser.close();
}
assert.deepEqual(failures, [], "no console errors, no requests elsewhere");
console.log("dashboard: all steps passed");
