// Charts (uPlot) of a function's statistics buckets.

import uPlot from "uplot";

function series(stats) {
  const xs = stats.buckets.map((b) => Date.parse(b.start) / 1000);
  return [xs, stats.buckets.map((b) => b.total), stats.buckets.map((b) => b.failed)];
}

// A tiny line of invocations per bucket, for the functions list.
export function sparkline(parent, stats) {
  const plot = new uPlot(
    {
      width: 120,
      height: 32,
      cursor: { show: false },
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: "#2563eb", width: 1.5, fill: "rgba(37,99,235,0.12)" }, { stroke: "#dc2626", width: 1 }],
    },
    series(stats),
    parent,
  );
  parent.setAttribute("role", "img");
  parent.setAttribute("aria-label", `${stats.total} invocations, ${stats.failed} failed, in the last ${stats.window}`);
  return plot;
}

// Invocations and failures per bucket, with the time axis in the
// browser's time zone.
export function activityChart(parent, stats) {
  const width = Math.max(280, Math.min(parent.clientWidth || 720, 960));
  const plot = new uPlot(
    {
      width,
      height: 180,
      scales: { x: { time: true } },
      series: [
        {},
        { label: "Invocations", stroke: "#2563eb", width: 2, fill: "rgba(37,99,235,0.10)" },
        { label: "Failed", stroke: "#dc2626", width: 2 },
      ],
    },
    series(stats),
    parent,
  );
  parent.setAttribute("role", "img");
  parent.setAttribute("aria-label", `Invocations per ${stats.bucket}: ${stats.total} in all, ${stats.failed} failed`);
  return plot;
}
