// The dashboard: sign-in with an application key (kept in this tab's
// session storage only) and a page per hash route.

import { Api } from "./api.js";
import { h, replace, flash, errorText, field } from "./ui.js";
import * as functions from "./pages/functions.js";
import * as functionPage from "./pages/function.js";
import * as invocations from "./pages/invocations.js";
import * as invocation from "./pages/invocation.js";
import * as tail from "./pages/tail.js";
import * as runtime from "./pages/runtime.js";
import * as queue from "./pages/queue.js";

const KEY = "chatfn.key";

const routes = [
  [/^#\/functions\/(\d+)$/, functionPage, "Functions"],
  [/^#\/functions$/, functions, "Functions"],
  [/^#\/invocations\/(\d+)$/, invocation, "Invocations"],
  [/^#\/invocations$/, invocations, "Invocations"],
  [/^#\/tail$/, tail, "Live tail"],
  [/^#\/runtime$/, runtime, "Runtime"],
  [/^#\/queue$/, queue, "Queue"],
];

const nav = [
  ["#/functions", "Functions"],
  ["#/invocations", "Invocations"],
  ["#/tail", "Live tail"],
  ["#/runtime", "Runtime"],
  ["#/queue", "Queue"],
];

const root = document.getElementById("root");
let cleanup = null;

function signIn(message) {
  const input = h("input", { type: "password", name: "key", autocomplete: "off", required: true, spellcheck: false });
  const form = h(
    "form",
    {
      class: "sign-in",
      onsubmit: async (event) => {
        event.preventDefault();
        const api = new Api(input.value.trim());
        try {
          await api.get("/v1/application");
          sessionStorage.setItem(KEY, api.key);
          if (!location.hash || location.hash === "#/") location.hash = "#/functions";
          show();
        } catch (error) {
          replace(note, error.status === 401 ? "That key is not valid." : errorText(error));
        }
      },
    },
    h("h1", {}, "chatfn"),
    h("p", {}, "Sign in with an application key (a read-only key is enough to look around). It is kept in this tab only."),
    field("Application key", input),
    h("button", { type: "submit" }, "Sign in"),
  );
  const note = h("p", { class: "sign-in-error", role: "alert" }, message || "");
  replace(root, h("main", { class: "centered" }, form, note));
  input.focus();
}

function signOut() {
  sessionStorage.removeItem(KEY);
  location.hash = "";
  signIn("Signed out.");
}

async function show() {
  const key = sessionStorage.getItem(KEY);
  if (!key) return signIn();
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const [hash, search] = (location.hash || "#/functions").split("?");
  const route = routes.find(([pattern]) => pattern.test(hash));
  if (!route) {
    location.hash = "#/functions";
    return;
  }
  const [pattern, page, section] = route;
  const params = hash.match(pattern).slice(1);
  const main = h("main", { id: "main", tabindex: "-1" });
  const api = new Api(key);
  let application = null;
  try {
    application = await api.get("/v1/application");
  } catch (error) {
    if (error.status === 401) return signIn("The key is no longer valid; sign in again.");
  }
  replace(
    root,
    h("a", { class: "skip", href: "#main", onclick: (e) => (e.preventDefault(), main.focus()) }, "Skip to content"),
    h(
      "header",
      { class: "top" },
      h("span", { class: "brand" }, "chatfn"),
      application ? h("span", { class: "app-name" }, application.name) : null,
      application?.access === "READ_ONLY" ? h("span", { class: "badge", title: "Changes are refused with this key" }, "read-only") : null,
      h(
        "nav",
        { "aria-label": "Sections" },
        nav.map(([href, label]) => h("a", { href, "aria-current": label === section ? "page" : null }, label)),
      ),
      h("button", { type: "button", class: "quiet", onclick: signOut }, "Sign out"),
    ),
    h("div", { id: "flash", "aria-live": "polite" }),
    main,
  );
  document.title = `${section} · chatfn`;
  try {
    const query = new URLSearchParams(search || "");
    cleanup = (await page.render({ api, query, navigate: (to) => (location.hash = to) }, main, params)) || null;
  } catch (error) {
    if (error.status === 401) return signIn("The key is no longer valid; sign in again.");
    replace(main, h("p", { class: "error", role: "alert" }, errorText(error)));
  }
}

window.addEventListener("hashchange", show);
window.addEventListener("unhandledrejection", (event) => flash(errorText(event.reason), "error"));
show();
