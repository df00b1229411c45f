// One invocation: its event, result, error (with the handler's line),
// logs, calls and attempts.

import { h, replace, table, timeElement, status, json, ms, link, button, busy, flash } from "../ui.js";

function logs(entries) {
  if (!entries?.length) return h("p", { class: "empty" }, "No log lines.");
  return h(
    "ol",
    { class: "logs" },
    entries.map((e) => h("li", { class: `log log-${e.level}` }, h("span", { class: "level" }, e.level), " ", e.message)),
  );
}

function calls(records) {
  return table(
    [
      { label: "Method", cell: (c) => c.method },
      { label: "Path or URL", cell: (c) => h("code", {}, c.path) },
      { label: "Status", cell: (c) => (c.status ?? c.error ?? "") },
      { label: "Duration", cell: (c) => ms(c.durationMs) },
    ],
    records || [],
    { empty: "No platform or fetch calls." },
  );
}

// The error, its stack, and the handler's line it points at.
function failure(error, version) {
  if (!error) return null;
  let source = null;
  if (version && error.line && (!error.file || error.file.startsWith("handler"))) {
    const lines = version.handlerScript.split("\n");
    const at = error.line - 1;
    if (at >= 0 && at < lines.length) {
      const from = Math.max(0, at - 2);
      source = h(
        "pre",
        { class: "source", "aria-label": `Handler source around line ${error.line}` },
        lines.slice(from, at + 3).map((text, i) =>
          h("div", { class: from + i === at ? "hit" : null }, h("span", { class: "ln" }, String(from + i + 1).padStart(4)), " ", text),
        ),
      );
    }
  }
  return h(
    "div",
    { class: "failure" },
    h("p", {}, h("strong", {}, `${error.type}: ${error.name}: `), error.message, error.line ? ` (${error.file || "handler"}:${error.line}${error.column ? `:${error.column}` : ""})` : ""),
    source,
    error.stack ? h("details", {}, h("summary", {}, "Stack"), h("pre", {}, error.stack)) : null,
  );
}

// What a run gave: used by test runs and the detail page.
export function invocationSummary(run, version) {
  return h(
    "div",
    { class: "invocation" },
    h(
      "p",
      { class: "figures" },
      status(run.status),
      ` invocation ${run.id} · v${run.versionNumber} · ${ms(run.durationMs)}`,
      run.reusedInstance === true
        ? " · reused instance"
        : run.warmStart === true
          ? " · warm start"
          : run.warmStart === false
            ? " · cold start"
            : "",
      " · ",
      link(`#/invocations/${run.id}`, "details"),
    ),
    run.result ? h("div", {}, h("h3", {}, "Result"), json(run.result.payload ?? null)) : null,
    run.error ? h("div", {}, h("h3", {}, "Error"), failure(run.error, version)) : null,
    h("h3", {}, "Logs"),
    logs(run.logs),
    h("h3", {}, "Calls"),
    calls(run.calls),
  );
}

export async function render({ api }, main, [id]) {
  const run = await api.get(`/v1/invocations/${id}`);
  const fn = await api.get(`/v1/functions/${run.functionId}`).catch(() => null);
  const version = fn ? (await api.versions(fn.id)).find((v) => v.versionNumber === run.versionNumber) : null;
  const redrive =
    run.status === "FAILED" && !run.test && fn && fn.type !== "user.attempted.start_session"
      ? button("Run again", (e) =>
          busy(e.currentTarget, async () => {
            await api.post(`/v1/invocations/${run.id}/retry`);
            flash(`Invocation ${run.id} is queued again.`);
          }),
        )
      : null;
  replace(
    main,
    h("p", { class: "crumbs" }, link("#/invocations", "Invocations"), " / ", String(run.id)),
    h("h1", {}, `Invocation ${run.id}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Function"),
      h("dd", {}, fn ? link(`#/functions/${fn.id}`, fn.name) : String(run.functionId)),
      h("dt", {}, "Trigger"),
      h("dd", {}, h("code", {}, run.type)),
      h("dt", {}, "Created"),
      h("dd", {}, timeElement(run.createdTime)),
      h("dt", {}, "Ended"),
      h("dd", {}, timeElement(run.endedTime) || "–"),
      h("dt", {}, "Test run"),
      h("dd", {}, run.test ? "yes" : "no"),
    ),
    redrive,
    h("h2", {}, "Event"),
    json(run.args),
    invocationSummary(run, version),
    run.attempts?.length
      ? h(
          "section",
          {},
          h("h2", {}, "Attempts"),
          table(
            [
              { label: "Attempt", cell: (a) => String(a.number) },
              { label: "Status", cell: (a) => status(a.status) },
              { label: "Started", cell: (a) => timeElement(a.startedTime) },
              { label: "Duration", cell: (a) => ms(a.durationMs) },
              { label: "Error", cell: (a) => (a.error ? `${a.error.type}: ${a.error.message}` : "") },
            ],
            run.attempts,
          ),
        )
      : null,
  );
}
