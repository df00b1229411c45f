// The invocation log: filters (kept in the address, so a view can be
// shared), newest first, older ones by cursor, and newer arrivals offered
// as they come.

import { h, replace, table, timeElement, status, ms, link, select, button, busy, filterForm, functionSelect, statusSelect } from "../ui.js";

const PAGE = 25;

function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function render({ api, query, navigate }, main) {
  const functions = await api.functions();
  const byId = new Map(functions.map((f) => [String(f.id), f]));
  const filters = {
    functionId: query.get("functionId") || "",
    status: query.get("status") || "",
    versionNumber: query.get("versionNumber") || "",
    test: query.get("test") || "",
    from: query.get("from") || "",
    to: query.get("to") || "",
  };
  const form = filterForm("#/invocations", navigate, [
    ["Function", functionSelect(functions, filters.functionId)],
    ["Status", statusSelect(filters.status)],
    ["Version", h("input", { type: "number", min: 1, name: "versionNumber", value: filters.versionNumber, placeholder: "any" })],
    ["Runs", select([["", "Test runs and real"], ["false", "Real only"], ["true", "Test runs only"]], filters.test, { name: "test" })],
    ["From", h("input", { type: "datetime-local", name: "from", value: localInput(filters.from) })],
    ["To", h("input", { type: "datetime-local", name: "to", value: localInput(filters.to) })],
  ]);

  let rows = [];
  const list = h("div");
  const newer = h("div", { "aria-live": "polite" });
  const more = button("Older", () => busy(more, loadOlder));
  let waiting = [];

  const columns = [
    { label: "Id", cell: (r) => link(`#/invocations/${r.id}`, String(r.id)) },
    { label: "Time", cell: (r) => timeElement(r.createdTime) },
    { label: "Function", cell: (r) => byId.get(String(r.functionId))?.name || String(r.functionId) },
    { label: "Version", cell: (r) => `v${r.versionNumber}` },
    { label: "Status", cell: (r) => status(r.status) },
    { label: "Duration", cell: (r) => ms(r.durationMs) },
    { label: "Test", cell: (r) => (r.test ? "test" : "") },
    { label: "Error", cell: (r) => (r.error ? `${r.error.name}: ${r.error.message}` : "") },
  ];
  const draw = () => replace(list, table(columns, rows, { empty: "No invocations match." }));

  const base = { ...filters };
  async function loadOlder() {
    const last = rows[rows.length - 1];
    const page = await api.get("/v1/invocations", { ...base, size: PAGE, after: last?.id });
    const items = page._embedded?.invocations || [];
    rows = rows.concat(items);
    more.hidden = items.length < PAGE;
    draw();
  }

  // New arrivals are offered, not pushed in under the reader's eyes.
  async function poll() {
    const top = waiting[0]?.id ?? rows[0]?.id ?? 0;
    const page = await api.get("/v1/invocations", { ...base, size: 100, sort: "id,asc", after: top });
    const items = (page._embedded?.invocations || []).reverse();
    if (!items.length) return;
    waiting = items.concat(waiting);
    replace(
      newer,
      button(`Show ${waiting.length} newer invocation${waiting.length === 1 ? "" : "s"}`, () => {
        rows = waiting.concat(rows);
        waiting = [];
        newer.replaceChildren();
        draw();
      }),
    );
  }

  replace(main, h("h1", {}, "Invocations"), form, newer, list, more);
  await loadOlder();
  const timer = setInterval(() => poll().catch(() => {}), 3000);
  return () => clearInterval(timer);
}
