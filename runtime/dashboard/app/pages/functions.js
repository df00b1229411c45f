// The functions list: each function with its last hour, and a form for a
// new one.

import { h, replace, table, link, percent, ms, field, select, busy, flash } from "../ui.js";
import { sparkline } from "../chart.js";

export async function render({ api, navigate }, main) {
  const [list, samples] = await Promise.all([api.functions(), api.sampleEvents()]);
  const stats = await Promise.all(
    list.map((f) => api.get(`/v1/functions/${f.id}/stats`, { window: "1h" }).catch(() => null)),
  );
  const charts = [];
  const rows = list.map((f, i) => ({ ...f, stats: stats[i] }));
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const type = select(
    Object.keys(samples).map((t) => [t, t]),
    "user.attempted.start_session",
    { name: "type" },
  );
  const create = h("button", { type: "submit" }, "Create");
  const form = h(
    "form",
    {
      class: "inline-form",
      onsubmit: (event) => {
        event.preventDefault();
        busy(create, async () => {
          const made = await api.post("/v1/runtimes/nodejs/functions", { type: type.value, name: name.value });
          flash(`Created ${made.name}.`);
          navigate(`#/functions/${made.id}`);
        });
      },
    },
    field("Trigger type", type),
    field("Name", name),
    create,
  );
  replace(
    main,
    h("h1", {}, "Functions"),
    table(
      [
        { label: "Name", cell: (f) => link(`#/functions/${f.id}`, f.name) },
        { label: "Trigger type", cell: (f) => h("code", {}, f.type) },
        { label: "Enabled", cell: (f) => (f.enabled ? "yes" : "no") },
        { label: "Version", cell: (f) => (f.currentVersionNumber ? `v${f.currentVersionNumber}` : "none") },
        { label: "Last hour", cell: (f) => (f.stats ? String(f.stats.total) : "–") },
        { label: "Error rate", cell: (f) => percent(f.stats?.errorRate) },
        { label: "p99", cell: (f) => (f.stats?.durationMs ? ms(f.stats.durationMs.p99) : "–") },
        {
          label: "Activity",
          cell: (f) => {
            const spot = h("div", { class: "spark" });
            if (f.stats) charts.push([spot, f.stats]);
            return spot;
          },
        },
      ],
      rows,
      { empty: "No functions yet: create one below." },
    ),
    h("h2", {}, "New function"),
    form,
  );
  const plots = charts.map(([spot, s]) => sparkline(spot, s));
  return () => plots.forEach((p) => p.destroy());
}
