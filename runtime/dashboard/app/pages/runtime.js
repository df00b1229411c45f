// The application's runtime: environment variables, secrets (names only),
// the initialization script and the npm dependencies.

import { h, replace, table, timeElement, field, button, busy, flash, errorText } from "../ui.js";
import { codeEditor } from "../editor.js";

export async function render({ api }, main) {
  let runtime = await api.get("/v1/runtimes/nodejs");
  const secrets = await api.get("/v1/runtimes/nodejs/secrets").catch((error) => ({ error }));
  const disposers = [];
  const summary = h("p", { class: "summary" });
  const drawSummary = () => replace(summary, `Node.js-compatible runtime ${runtime.version} · revision ${runtime.revision}`);
  drawSummary();

  // Environment variables: rows of name and value.
  const envRows = h("div", { class: "pairs" });
  function envRow(name = "", value = "") {
    const row = h(
      "div",
      { class: "pair" },
      field("Variable name", h("input", { name: "name", value: name, pattern: "[A-Za-z_][A-Za-z0-9_]*", spellcheck: false })),
      field("Variable value", h("input", { name: "value", value: String(value), spellcheck: false })),
      button("Remove", () => row.remove(), { class: "quiet", "aria-label": `Remove ${name || "this variable"}` }),
    );
    envRows.append(row);
  }
  Object.entries(runtime.environmentVariables || {}).forEach(([n, v]) => envRow(n, v));
  const saveEnv = button("Save variables", () =>
    busy(saveEnv, async () => {
      const variables = {};
      for (const row of envRows.children) {
        const [name, value] = row.querySelectorAll("input");
        if (name.value.trim()) variables[name.value.trim()] = value.value;
      }
      runtime = await api.put("/v1/runtimes/nodejs/environment-variables", variables); drawSummary();
      flash("Environment variables saved; new images are being built.");
    }),
    { class: "primary" },
  );

  // Secrets: names and times; values go in, never come out.
  const secretName = h("input", { name: "secretName", pattern: "[A-Za-z_][A-Za-z0-9_]*", spellcheck: false });
  const secretValue = h("input", { name: "secretValue", type: "password", autocomplete: "off" });
  const secretList = h("div");
  function drawSecrets(list) {
    replace(
      secretList,
      table(
        [
          { label: "Name", cell: (s) => h("code", {}, s.name) },
          { label: "Value", cell: () => "••••••••" },
          { label: "Set", cell: (s) => timeElement(s.updatedTime) },
          {
            label: "Actions",
            cell: (s) =>
              button(`Unset ${s.name}`, (e) =>
                busy(e.currentTarget, async () => {
                  const next = await api.put("/v1/runtimes/nodejs/secrets", { [s.name]: null });
                  drawSecrets(next.secrets);
                  flash(`${s.name} unset.`);
                }),
              ),
          },
        ],
        list,
        { empty: "No secrets." },
      ),
    );
  }
  const setSecret = button("Set secret", () =>
    busy(setSecret, async () => {
      const next = await api.put("/v1/runtimes/nodejs/secrets", { [secretName.value.trim()]: secretValue.value });
      secretValue.value = "";
      drawSecrets(next.secrets);
      flash(`${secretName.value.trim()} set.`);
    }),
  );
  if (secrets.error) replace(secretList, h("p", { class: "empty" }, errorText(secrets.error)));
  else drawSecrets(secrets.secrets);

  // The initialization script.
  const initBox = h("div", { class: "editor" });
  const init = codeEditor(initBox, runtime.initializationScript?.script || "", { kind: "ts", label: "Initialization script" });
  disposers.push(() => init.view.destroy());
  const initState = h("p", { class: "check", role: "status" });
  const saveInit = button("Save script", () =>
    busy(saveInit, async () => {
      try {
        runtime = await api.put("/v1/runtimes/nodejs/initialization-script", { script: init.text() }); drawSummary();
        init.mark([]);
        replace(initState, h("span", { class: "good" }, "Saved; it runs when images are built."));
      } catch (error) {
        if (error.cause?.line) {
          init.mark([{ line: error.cause.line, column: error.cause.column, message: error.cause.message }]);
        }
        replace(initState, h("span", { class: "bad" }, errorText(error)));
        throw error;
      }
    }),
    { class: "primary" },
  );

  // Dependencies: the install happens on save, and may take a while.
  const depRows = h("div", { class: "pairs" });
  function depRow(name = "", version = "") {
    const row = h(
      "div",
      { class: "pair" },
      field("Package", h("input", { name: "package", value: name, spellcheck: false })),
      field("Package version", h("input", { name: "version", value: version, spellcheck: false, placeholder: "^1.0.0" })),
      button("Remove", () => row.remove(), { class: "quiet", "aria-label": `Remove ${name || "this package"}` }),
    );
    depRows.append(row);
  }
  (runtime.dependencies || []).filter((d) => !d.defaultDependency).forEach((d) => depRow(d.name, d.version));
  const defaults = (runtime.dependencies || []).filter((d) => d.defaultDependency);
  // The tree the list resolved to: one row per installed package, nested
  // copies indented under the package that needs them.
  const tree = h("div");
  async function drawTree() {
    const resolved = await api.get("/v1/runtimes/nodejs/resolved-dependencies");
    const depth = (location) => location.split("/node_modules/").length - 1;
    replace(
      tree,
      resolved.packages.length
        ? h(
            "details",
            {},
            h("summary", {}, `Resolved tree: ${resolved.packages.length} package${resolved.packages.length === 1 ? "" : "s"}`),
            h(
              "ul",
              { class: "tree" },
              resolved.packages.map((p) =>
                h(
                  "li",
                  { style: `margin-left: ${depth(p.location) * 1.5}em`, title: p.integrity },
                  h("code", {}, `${p.name}@${p.version}`),
                  p.location.endsWith(`node_modules/${p.name}`) ? "" : ` (as ${p.location.split("node_modules/").pop()})`,
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, "No packages installed."),
    );
  }
  await drawTree();
  const installState = h("p", { class: "check", role: "status", "aria-live": "polite" });
  const saveDeps = button("Install and save", () =>
    busy(saveDeps, async () => {
      const list = [];
      for (const row of depRows.children) {
        const [name, version] = row.querySelectorAll("input");
        if (name.value.trim()) list.push({ name: name.value.trim(), version: version.value.trim() || "latest" });
      }
      const started = Date.now();
      const tick = setInterval(() => replace(installState, `Installing… ${Math.round((Date.now() - started) / 1000)} s`), 500);
      try {
        runtime = await api.put("/v1/runtimes/nodejs/dependencies", list); drawSummary();
        replace(installState, h("span", { class: "good" }, `Installed in ${((Date.now() - started) / 1000).toFixed(1)} s.`));
        await drawTree();
      } catch (error) {
        replace(installState, h("span", { class: "bad" }, errorText(error)));
        throw error;
      } finally {
        clearInterval(tick);
      }
    }),
    { class: "primary" },
  );

  replace(
    main,
    h("h1", {}, "Runtime"),
    summary,
    h("section", {}, h("h2", {}, "Environment variables"), h("p", { class: "hint" }, "Baked into images and shown here; use secrets for keys."), envRows, h("div", { class: "actions" }, button("Add variable", () => envRow()), saveEnv)),
    h("section", {}, h("h2", {}, "Secrets"), secretList, h("div", { class: "inline-form" }, field("Secret name", secretName), field("Secret value", secretValue), setSecret)),
    h("section", {}, h("h2", {}, "Initialization script"), initBox, initState, h("div", { class: "actions" }, saveInit)),
    h(
      "section",
      {},
      h("h2", {}, "Dependencies"),
      defaults.length ? h("p", { class: "hint" }, `Always present: ${defaults.map((d) => `${d.name}@${d.version}`).join(", ")}.`) : null,
      depRows,
      installState,
      tree,
      h("div", { class: "actions" }, button("Add package", () => depRow()), saveDeps),
    ),
  );
  return () => disposers.forEach((d) => d());
}
