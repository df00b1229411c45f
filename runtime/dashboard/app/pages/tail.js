// Live tail: invocations as they change state, from the server's event
// stream; pause keeps them aside, and a lost connection resumes where it
// stopped (Last-Event-ID).

import { h, replace, table, timeElement, status, ms, link, select, button, filterForm, functionSelect, statusSelect } from "../ui.js";
import { readEvents, withQuery } from "../api.js";

const KEEP = 500;

export async function render({ api, query, navigate }, main) {
  const functions = await api.functions();
  const samples = await api.sampleEvents();
  const byId = new Map(functions.map((f) => [String(f.id), f]));
  const filters = {
    functionId: query.get("functionId") || "",
    status: query.get("status") || "",
    type: query.get("type") || "",
  };
  const form = filterForm("#/tail", navigate, [
    ["Function", functionSelect(functions, filters.functionId)],
    ["Status", statusSelect(filters.status)],
    ["Trigger", select([["", "Any trigger"], ...Object.keys(samples).map((t) => [t, t])], filters.type, { name: "type" })],
  ]);

  let rows = [];
  let held = [];
  let paused = false;
  const state = h("p", { class: "stream-state", role: "status" }, "Connecting…");
  const list = h("div");
  const pause = button("Pause", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(paused));
    if (!paused) {
      held.forEach(add);
      held = [];
      draw();
    }
    note();
  }, { "aria-pressed": "false" });
  const clear = button("Clear", () => {
    rows = [];
    draw();
  });

  const columns = [
    { label: "Id", cell: (r) => link(`#/invocations/${r.id}`, String(r.id)) },
    { label: "Time", cell: (r) => timeElement(r.endedTime || r.startedTime || r.createdTime) },
    { label: "Function", cell: (r) => byId.get(String(r.functionId))?.name || String(r.functionId) },
    { label: "Trigger", cell: (r) => h("code", {}, r.type) },
    { label: "Status", cell: (r) => status(r.status) },
    { label: "Duration", cell: (r) => ms(r.durationMs) },
    { label: "Logs", cell: (r) => (r.logs?.length ? r.logs.map((l) => l.message).join(" · ").slice(0, 120) : "") },
  ];
  const draw = () => replace(list, table(columns, rows, { empty: "Waiting for invocations…", caption: "Newest first" }));
  let connected = false;
  const note = () =>
    replace(state, `${connected ? "Live" : "Reconnecting…"}${paused ? ` · paused, ${held.length} held` : ""}`);

  // One row per invocation: a later state replaces the earlier one.
  function add(record) {
    rows = [record, ...rows.filter((r) => r.id !== record.id)].slice(0, KEEP);
  }

  const abort = new AbortController();
  let lastEventId = null;
  const path = withQuery("/v1/invocations/stream", filters);
  (async () => {
    while (!abort.signal.aborted) {
      try {
        await readEvents(api, path, {
          lastEventId,
          signal: abort.signal,
          onOpen: () => {
            connected = true;
            note();
          },
          onEvent: ({ event, id, data }) => {
            if (id) lastEventId = id;
            if (event === "invocation") {
              const record = JSON.parse(data);
              if (paused) held = [...held, record].slice(-KEEP);
              else {
                add(record);
                draw();
              }
              note();
            } else if (event === "gap") {
              replace(state, "Some changes were missed while disconnected; the invocation log has them all.");
            }
          },
        });
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error.status === 401) return replace(state, "The key is no longer valid.");
        if (error.status === 403 || error.status === 400) return replace(state, error.message);
      }
      connected = false;
      note();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();

  replace(main, h("h1", {}, "Live tail"), form, h("div", { class: "actions" }, pause, clear), state, list);
  draw();
  return () => abort.abort();
}
