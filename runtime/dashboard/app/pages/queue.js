// The queue of non-blocking invocations: counts per function, and the
// failed ones, which can be run again.

import { h, replace, table, timeElement, link, button, busy, flash } from "../ui.js";

export async function render({ api }, main) {
  const functions = (await api.functions()).filter((f) => f.type !== "user.attempted.start_session");
  const counts = await Promise.all(functions.map((f) => api.get(`/v1/functions/${f.id}/queue`).catch(() => null)));
  const byId = new Map(functions.map((f) => [f.id, f]));
  const failedList = h("div");
  async function drawFailed() {
    const page = await api.get("/v1/invocations", { status: "FAILED", test: false, size: 50 });
    const failed = (page._embedded?.invocations || []).filter((r) => byId.has(r.functionId));
    replace(
      failedList,
      table(
        [
          { label: "Id", cell: (r) => link(`#/invocations/${r.id}`, String(r.id)) },
          { label: "Time", cell: (r) => timeElement(r.createdTime) },
          { label: "Function", cell: (r) => byId.get(r.functionId)?.name },
          { label: "Attempts", cell: (r) => String(r.attempts?.length || 1) },
          { label: "Error", cell: (r) => (r.error ? `${r.error.name}: ${r.error.message}` : "") },
          {
            label: "Actions",
            cell: (r) =>
              button(`Run ${r.id} again`, (e) =>
                busy(e.currentTarget, async () => {
                  await api.post(`/v1/invocations/${r.id}/retry`);
                  flash(`Invocation ${r.id} is queued again.`);
                  await drawFailed();
                }),
              ),
          },
        ],
        failed,
        { empty: "No failed invocations." },
      ),
    );
  }
  await drawFailed();
  replace(
    main,
    h("h1", {}, "Queue"),
    table(
      [
        { label: "Function", cell: (f) => link(`#/functions/${f.id}`, f.name) },
        { label: "Queued", cell: (f) => String(f.counts?.queued ?? "–") },
        { label: "Running", cell: (f) => String(f.counts?.running ?? "–") },
        { label: "Retrying", cell: (f) => String(f.counts?.retrying ?? "–") },
        { label: "Failed", cell: (f) => String(f.counts?.failed ?? "–") },
      ],
      functions.map((f, i) => ({ ...f, counts: counts[i] })),
      { empty: "No non-blocking functions." },
    ),
    h("h2", {}, "Failed invocations"),
    failedList,
  );
}
