// One function: settings, activity, a new version (checked as you type,
// at the line of each error), its versions (roll back, diff) and test runs.

import { h, replace, table, timeElement, field, select, setOptions, button, busy, flash, errorText, link, percent, ms } from "../ui.js";
import { codeEditor, diffView } from "../editor.js";
import { activityChart } from "../chart.js";
import { invocationSummary } from "./invocation.js";

const STARTER = `async function handleEvent(event, context) {
  console.log("received", JSON.stringify(event));
  return null;
}
`;

export async function render({ api }, main, [id]) {
  let fn = await api.get(`/v1/functions/${id}`);
  let versions = await api.versions(id);
  const samples = await api.sampleEvents();
  const stats = await api.get(`/v1/functions/${id}/stats`, { window: "24h" }).catch(() => null);
  const disposers = [];

  // Settings.
  const heading = h("h1", {}, fn.name);
  const enabled = h("input", { type: "checkbox", checked: fn.enabled, name: "enabled" });
  const timeout = h("input", { type: "number", min: 1, step: 1, value: fn.timeoutMs, name: "timeoutMs" });
  const reuse = select(
    [
      ["none", "none: a fresh instance per invocation"],
      ["sequential", "sequential: keep module state between invocations"],
    ],
    fn.instanceReuse,
    { name: "instanceReuse" },
  );
  const saveSettings = h("button", { type: "submit" }, "Save settings");
  const settings = h(
    "form",
    {
      class: "inline-form",
      "aria-label": "Settings",
      onsubmit: (event) => {
        event.preventDefault();
        busy(saveSettings, async () => {
          fn = await api.patch(`/v1/functions/${id}`, {
            enabled: enabled.checked,
            timeoutMs: Number(timeout.value),
            instanceReuse: reuse.value,
          });
          flash(`Saved: ${fn.enabled ? "enabled" : "disabled"}, timeout ${fn.timeoutMs} ms, instance reuse ${fn.instanceReuse}.`);
          refreshSummary();
        });
      },
    },
    h("div", { class: "field checkbox" }, h("label", {}, enabled, " Enabled")),
    field("Timeout (ms)", timeout),
    field("Instance reuse", reuse),
    saveSettings,
  );
  const summary = h("p", { class: "summary" });
  function refreshSummary() {
    replace(
      summary,
      h("code", {}, fn.type),
      " · ",
      fn.currentVersionNumber ? `current version v${fn.currentVersionNumber}` : "no version yet",
      " · ",
      fn.enabled ? "enabled" : "disabled",
      " · ",
      link(`#/invocations?functionId=${fn.id}`, "invocations"),
    );
  }
  refreshSummary();

  // Activity.
  const chart = h("div", { class: "chart" });
  const activity = h(
    "section",
    { "aria-labelledby": "activity" },
    h("h2", { id: "activity" }, "Last 24 hours"),
    stats
      ? h(
          "p",
          { class: "figures" },
          `${stats.total} invocations · error rate ${percent(stats.errorRate)} · p50 ${ms(stats.durationMs?.p50)} · p99 ${ms(stats.durationMs?.p99)} · warm starts ${percent(stats.warmShare)}`,
        )
      : null,
    chart,
  );

  // A new version.
  const current = versions.find((v) => v.versionNumber === fn.currentVersionNumber);
  const editorBox = h("div", { class: "editor" });
  const checkState = h("p", { class: "check", role: "status", "aria-live": "polite" });
  let checking = 0;
  let timer = null;
  const editor = codeEditor(editorBox, current ? current.handlerScript : STARTER, {
    kind: "ts",
    label: "Handler source (TypeScript)",
    onChange: () => {
      clearTimeout(timer);
      replace(checkState, "Edited; checking…");
      timer = setTimeout(check, 700);
    },
  });
  disposers.push(() => clearTimeout(timer), () => editor.view.destroy());

  // Shows a refused handler's error at its line; true when it loads.
  function showFailure(error) {
    const cause = error.cause;
    if (cause?.line) {
      editor.mark([{ line: cause.line, column: cause.column, message: `${cause.name}: ${cause.message}` }]);
      replace(checkState, h("span", { class: "bad" }, `Line ${cause.line}${cause.column ? `:${cause.column}` : ""}: ${cause.name}: ${cause.message}`));
    } else {
      editor.mark([]);
      replace(checkState, h("span", { class: "bad" }, errorText(error)));
    }
  }

  async function check() {
    const mine = ++checking;
    try {
      await api.post("/v1/runtimes/nodejs/handler-checks", { handlerScript: editor.text() });
      if (mine !== checking) return true;
      editor.mark([]);
      replace(checkState, h("span", { class: "good" }, "Compiles and loads."));
      return true;
    } catch (error) {
      if (mine !== checking) return false;
      if (error.status === 400 || error.status === 422) showFailure(error);
      else replace(checkState, h("span", { class: "bad" }, errorText(error)));
      return false;
    }
  }

  async function deploy(activate) {
    clearTimeout(timer);
    checking++;
    try {
      const version = await api.post(`/v1/functions/${id}/versions`, { handlerScript: editor.text(), activate });
      editor.mark([]);
      replace(checkState, h("span", { class: "good" }, `Deployed v${version.versionNumber}${activate ? " (current)" : " (staged)"}.`));
      flash(`Version ${version.versionNumber} ${activate ? "deployed" : "staged"}.`);
      await reload();
    } catch (error) {
      if (error.status === 400 || error.status === 422) showFailure(error);
      throw error;
    }
  }

  const checkButton = button("Check", () => busy(checkButton, check));
  const deployButton = button("Deploy", () => busy(deployButton, () => deploy(true)), { class: "primary" });
  const stageButton = button("Stage without activating", () => busy(stageButton, () => deploy(false)));
  const author = h(
    "section",
    { "aria-labelledby": "new-version" },
    h("h2", { id: "new-version" }, "New version"),
    h("p", { class: "hint" }, "TypeScript or JavaScript; checked on the server as you type, nothing is stored until you deploy."),
    editorBox,
    checkState,
    h("div", { class: "actions" }, checkButton, deployButton, stageButton),
  );

  // Versions: roll back and diff.
  const versionList = h("div");
  const diffFrom = h("select", { name: "from" });
  const diffTo = h("select", { name: "to" });
  const diffBox = h("div", { class: "diff" });
  let merge = null;
  disposers.push(() => merge?.destroy());
  const diffButton = button("Show diff", () => {
    const a = versions.find((v) => String(v.versionNumber) === diffFrom.value);
    const b = versions.find((v) => String(v.versionNumber) === diffTo.value);
    merge?.destroy();
    diffBox.replaceChildren();
    if (a && b) merge = diffView(diffBox, a.handlerScript, b.handlerScript);
  });

  function renderVersions() {
    replace(
      versionList,
      table(
        [
          { label: "Version", cell: (v) => `v${v.versionNumber}` },
          { label: "Deployed", cell: (v) => timeElement(v.createdTime) },
          { label: "State", cell: (v) => (v.versionNumber === fn.currentVersionNumber ? h("strong", {}, "current") : "") },
          {
            label: "Actions",
            cell: (v) =>
              v.versionNumber === fn.currentVersionNumber
                ? ""
                : button(`Make v${v.versionNumber} current`, (e) =>
                    busy(e.currentTarget, async () => {
                      await api.put(`/v1/functions/${id}/current-version`, { versionNumber: v.versionNumber });
                      flash(`v${v.versionNumber} is current.`);
                      await reload();
                    }),
                  ),
          },
        ],
        versions,
        { empty: "No versions yet." },
      ),
    );
    const options = versions.map((v) => [v.versionNumber, `v${v.versionNumber}`]);
    setOptions(diffFrom, options, versions[1]?.versionNumber ?? versions[0]?.versionNumber);
    setOptions(diffTo, options, versions[0]?.versionNumber);
    setOptions(testVersion, options, fn.currentVersionNumber);
  }

  // Test runs.
  const testVersion = h("select", { name: "version" });
  const eventBox = h("div", { class: "editor small" });
  const sample = samples[fn.type] || {};
  const eventEditor = codeEditor(eventBox, `${JSON.stringify(sample, null, 2)}\n`, { kind: "json", label: "Test event (JSON)" });
  disposers.push(() => eventEditor.view.destroy());
  const outcome = h("div", { class: "outcome", "aria-live": "polite" });
  const runButton = button(
    "Run",
    () =>
      busy(runButton, async () => {
        let event;
        try {
          event = JSON.parse(eventEditor.text());
        } catch (error) {
          replace(outcome, h("p", { class: "bad" }, `The event is not JSON: ${error.message}`));
          return;
        }
        const version = versions.find((v) => String(v.versionNumber) === testVersion.value);
        if (!version) return;
        replace(outcome, "Running…");
        const run = await api.post(`/v1/function-versions/${version.id}/invocations`, event);
        replace(outcome, invocationSummary(run, version));
      }),
    { class: "primary" },
  );
  const tester = h(
    "section",
    { "aria-labelledby": "test-run" },
    h("h2", { id: "test-run" }, "Test run"),
    h("div", { class: "inline-form" }, field("Version", testVersion)),
    eventBox,
    h("div", { class: "actions" }, runButton, button("Reset to the sample event", () => eventEditor.setText(`${JSON.stringify(sample, null, 2)}\n`))),
    outcome,
  );

  async function reload() {
    fn = await api.get(`/v1/functions/${id}`);
    versions = await api.versions(id);
    refreshSummary();
    renderVersions();
  }

  renderVersions();
  replace(
    main,
    h("p", { class: "crumbs" }, link("#/functions", "Functions"), " / ", fn.name),
    heading,
    summary,
    settings,
    activity,
    author,
    h(
      "section",
      { "aria-labelledby": "versions" },
      h("h2", { id: "versions" }, "Versions"),
      versionList,
      h("div", { class: "inline-form" }, field("From", diffFrom), field("To", diffTo), diffButton),
      diffBox,
    ),
    tester,
  );
  if (stats) {
    const plot = activityChart(chart, stats);
    disposers.push(() => plot.destroy());
  }
  return () => disposers.forEach((d) => d());
}
