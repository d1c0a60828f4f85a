// The seed's pages: flagged observations with reasons, statistics of what is stored, fired alerts.
import type { Page } from "../main";
import { ApiError, esc, getJson, type Anomaly, type Stats } from "../api";
import { histogram } from "../svgplot";

export const anomaliesPage: Page = {
  async render(el) {
    const url = "/data/anomalies?days=45";
    const list = await getJson<Anomaly[]>(url);
    const kinds = new Map<string, number>();
    for (const a of list) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
    el.innerHTML = `<h1>Anomalies</h1><p>${list.length} flagged observations in the 45 days ending at the newest stored observation (${[...kinds].map(([k, n]) => `${n} ${esc(k)}`).join(", ") || "none"}). API: <code>${url}</code></p>
${list.length ? histogram(list.map((a) => a.z ?? NaN), { title: "z-scores of flagged values", xLabel: "z", yLabel: "count" }) : ""}
<table class="data"><thead><tr><th scope="col">Station</th><th scope="col">Variable</th><th scope="col">Time</th><th scope="col">Value</th><th scope="col">Kind</th><th scope="col">Reason</th></tr></thead>
<tbody>${list.slice(0, 500).map((a) => `<tr><td><a href="#/buoy/${encodeURIComponent(a.location_id)}/${encodeURIComponent(a.variable)}">${esc(a.location_id)}</a></td><td>${esc(a.variable)}</td><td>${esc(a.timestamp)}</td><td>${a.value}</td><td>${esc(a.kind)}</td><td>${esc(a.reason)}</td></tr>`).join("")}</tbody></table>
${list.length > 500 ? `<p>Showing 500 of ${list.length}.</p>` : ""}`;
  },
};

export const statsPage: Page = {
  async render(el) {
    const s = await getJson<Stats>("/stats");
    el.innerHTML = `<h1>Statistics</h1>
<dl class="grid4 card"><dt>Files</dt><dd>${s.files}</dd><dt>Platforms</dt><dd>${s.platforms}</dd><dt>Profiles</dt><dd>${s.profiles}</dd><dt>Levels</dt><dd>${s.levels}</dd><dt>Series points</dt><dd>${s.series_points}</dd><dt>Reef sites</dt><dd>${s.reef_sites}</dd><dt>Heat-stress days</dt><dd>${s.heat_stress_days}</dd></dl>
${histogram(s.variables.map((v) => Math.log10(v.count)), { title: "Variables by log10(number of observations)", xLabel: "log10(count)", yLabel: "variables", bins: 10 })}
<table class="data"><thead><tr><th scope="col">Variable</th><th scope="col">Units</th><th scope="col">Platforms</th><th scope="col">Count</th><th scope="col">Min</th><th scope="col">Mean</th><th scope="col">Max</th><th scope="col">First</th><th scope="col">Last</th></tr></thead>
<tbody>${s.variables.map((v) => `<tr><td>${esc(v.variable)}</td><td>${esc(v.units)}</td><td>${v.platforms}</td><td>${v.count}</td><td>${v.min}</td><td>${v.mean.toFixed(3)}</td><td>${v.max}</td><td>${esc(v.first)}</td><td>${esc(v.last)}</td></tr>`).join("")}</tbody></table>`;
  },
};

export const alertsPage: Page = {
  async render(el) {
    el.innerHTML = `<h1>Alerts</h1><div id="alerts"></div>`;
    const box = el.querySelector("#alerts")!;
    try {
      const r = await fetch("/api/alerts");
      if (r.status === 404) {
        box.innerHTML = `<div class="empty"><p>No alerts yet: this server has no alert rules (<code>/api/alerts</code> is not available).</p><p>Reef heat-stress levels are on the <a href="#/map">map</a>.</p></div>`;
        return;
      }
      if (!r.ok) throw new ApiError(r.status, r.statusText);
      const list = (await r.json()) as Record<string, unknown>[];
      box.innerHTML = list.length
        ? `<table class="data"><tbody>${list.map((a) => `<tr>${Object.values(a).map((v) => `<td>${esc(typeof v === "object" ? JSON.stringify(v) : v)}</td>`).join("")}</tr>`).join("")}</tbody></table>`
        : `<div class="empty"><p>No alert has fired.</p></div>`;
    } catch (e) {
      box.innerHTML = `<p role="alert">Could not load alerts: ${esc((e as Error).message)}</p>`;
    }
  },
};
