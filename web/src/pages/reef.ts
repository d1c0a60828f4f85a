// Reef site / virtual station page (CRW style): SST, monthly climatology, MMM dashed, MMM+1 solid,
// DHW on a second axis, BAA colour strip, year selector, current-status card, day inspector, CSV.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Page } from "../main";
import { csv, download, esc, fmt, getJson, type HeatStress, type HeatStressDay, type ReefStatus } from "../api";
import { baaColor, baaName, legendHtml } from "../baa";

let plot: uPlot | undefined;

const day = (d: string) => Date.parse(d + "T00:00:00Z") / 1000;

export const page: Page = {
  async render(el, args) {
    const id = args[0] || "florida_keys";
    const statuses = await getJson<ReefStatus[]>("/api/reefs/status");
    const status = statuses.find((s) => s.site === id);
    if (!status) {
      el.innerHTML = `<h1>Reef site ${esc(id)}</h1><p role="alert">No reef site ${esc(id)} is stored.</p><p>Stored sites: ${statuses.map((s) => `<a href="#/reef/${encodeURIComponent(s.site)}">${esc(s.name)}</a>`).join(", ") || "none"}.</p>`;
      return;
    }
    const lastYear = Number((status.latest?.date ?? new Date().toISOString()).slice(0, 4));
    const site = await getJson<HeatStress>(`/api/reefs/${encodeURIComponent(id)}/heatstress?startDate=1980-01-01&endDate=1980-01-02`);
    const firstYear = 1985;
    const years: number[] = [];
    for (let y = lastYear; y >= firstYear; y--) years.push(y);
    const want = Number(args[1]) || lastYear;
    const L = status.latest;
    el.innerHTML = `<h1>${esc(status.name)} <small>virtual station</small></h1>
<div class="reef-top">
  <section class="card status" aria-labelledby="st-h" data-date="${esc(L?.date ?? "")}" data-baa="${L?.baa_7day_max ?? ""}" data-dhw="${L?.dhw ?? ""}">
    <h2 id="st-h">Current status <small>${esc(L?.date ?? "no data")}</small></h2>
    <p class="level"><span class="swatch big" style="background:${baaColor(L?.baa_7day_max)}"></span><strong>${baaName(L?.baa_7day_max)}</strong> for ${status.days_at_level} day${status.days_at_level === 1 ? "" : "s"}</p>
    <dl class="grid4">
      <dt>SST</dt><dd>${fmt(L?.sst_90th_hs)} °C</dd>
      <dt>SST anomaly</dt><dd>${fmt(L?.ssta_90th_hs)} °C</dd>
      <dt>HotSpot</dt><dd>${fmt(L?.hotspot)} °C</dd>
      <dt>DHW</dt><dd>${fmt(L?.dhw)} °C-weeks</dd>
      <dt>MMM</dt><dd>${fmt(site.mmm)} °C</dd>
      <dt>Threshold (MMM+1)</dt><dd>${site.mmm === null ? "–" : fmt(site.mmm + 1)} °C</dd>
    </dl>
  </section>
  <section class="card" aria-labelledby="day-h">
    <h2 id="day-h">A given day</h2>
    <label>Date <input type="date" id="day-input" value="${esc(L?.date ?? "")}"></label>
    <div id="day-out" aria-live="polite"></div>
  </section>
</div>
<div class="controls">
  <label>Year <select id="year">${years.map((y) => `<option ${y === want ? "selected" : ""}>${y}</option>`).join("")}</select></label>
  <button id="csv" type="button">Download CSV</button>
  <a id="api-url" href="#">API URL</a>
</div>
<div id="strip" class="strip" role="img" aria-label="Daily Bleaching Alert Area level"></div>
<div id="chart" class="chart"></div>
${legendHtml()}
<p class="note">SST is the 90th-percentile HotSpot pixel's SST; dots mark the monthly mean climatology (mid-month); dashed: MMM; solid red: bleaching threshold (MMM + 1 °C); DHW on the right axis.</p>`;
    const cache = new Map<string, HeatStressDay>();
    const dayOut = el.querySelector("#day-out")!;
    const input = el.querySelector<HTMLInputElement>("#day-input")!;
    const showDay = async () => {
      const d = input.value;
      if (!d) return;
      let rec = cache.get(d);
      if (!rec) {
        const next = new Date(Date.parse(d + "T00:00:00Z") + 86400000).toISOString().slice(0, 10);
        const r = await getJson<HeatStress>(`/api/reefs/${encodeURIComponent(id)}/heatstress?startDate=${d}&endDate=${next}`);
        rec = r.data[0];
      }
      dayOut.innerHTML = rec
        ? `<dl class="grid4" data-date="${esc(rec.date)}" data-baa="${rec.baa_7day_max ?? ""}" data-dhw="${rec.dhw ?? ""}"><dt>BAA</dt><dd><span class="swatch" style="background:${baaColor(rec.baa_7day_max)}"></span>${baaName(rec.baa_7day_max)}</dd><dt>DHW</dt><dd>${fmt(rec.dhw, 4)} °C-weeks</dd><dt>SST</dt><dd>${fmt(rec.sst_90th_hs)} °C</dd><dt>HotSpot</dt><dd>${fmt(rec.hotspot)} °C</dd></dl>`
        : `<p>No record stored for ${esc(d)}.</p>`;
    };
    input.addEventListener("change", () => void showDay());

    const draw = async (year: number) => {
      const url = `/api/reefs/${encodeURIComponent(id)}/heatstress?startDate=${year}-01-01&endDate=${year + 1}-01-01`;
      (el.querySelector("#api-url") as HTMLAnchorElement).href = url;
      const hs = await getJson<HeatStress>(url);
      for (const d of hs.data) cache.set(d.date, d);
      (el.querySelector("#csv") as HTMLButtonElement).onclick = () =>
        download(`${id}_${year}.csv`, csv([["date", "sst_min", "sst_max", "sst_90th_hs", "ssta_90th_hs", "hotspot", "dhw", "baa_7day_max"], ...hs.data.map((d) => [d.date, d.sst_min, d.sst_max, d.sst_90th_hs, d.ssta_90th_hs, d.hotspot, d.dhw, d.baa_7day_max])]));
      const strip = el.querySelector("#strip")!;
      strip.setAttribute("data-days", String(hs.data.length));
      strip.innerHTML = hs.data.map((d) => `<span style="background:${baaColor(d.baa_7day_max)}" title="${d.date}: ${baaName(d.baa_7day_max)}"></span>`).join("");
      const xs = hs.data.map((d) => day(d.date));
      const mmm = hs.mmm ?? site.mmm;
      const clim = hs.data.map((d) => {
        const dt = new Date(d.date + "T00:00:00Z");
        return dt.getUTCDate() === 15 && hs.monthly_means ? hs.monthly_means[dt.getUTCMonth()] : null;
      });
      const data: uPlot.AlignedData = [
        xs,
        hs.data.map((d) => d.sst_90th_hs),
        clim,
        hs.data.map(() => mmm),
        hs.data.map(() => (mmm === null ? null : mmm + 1)),
        hs.data.map((d) => d.dhw),
      ];
      plot?.destroy();
      const box = el.querySelector("#chart") as HTMLElement;
      plot = new uPlot(
        {
          width: Math.max(300, box.clientWidth || 800),
          height: 320,
          title: `${hs.name} ${year}`,
          scales: { x: { time: true }, sst: { auto: true }, dhw: { range: (_u, _lo, hi) => [0, Math.max(8, Math.ceil((hi ?? 0) + 1))] } },
          axes: [{}, { scale: "sst", label: "SST (°C)" }, { scale: "dhw", side: 1, label: "DHW (°C-weeks)", grid: { show: false } }],
          series: [
            {},
            { label: "SST", scale: "sst", stroke: "#1f5f8b", width: 1.5 },
            { label: "Monthly climatology", scale: "sst", stroke: "#333", width: 0, points: { show: true, size: 9, fill: "#333", stroke: "#333" }, paths: () => null },
            { label: "MMM", scale: "sst", stroke: "#555", dash: [6, 4], width: 1 },
            { label: "Threshold (MMM+1)", scale: "sst", stroke: "#c53030", width: 1.5 },
            { label: "DHW", scale: "dhw", stroke: "#6b46c1", width: 2, fill: "rgba(107,70,193,0.08)" },
          ],
        },
        data,
        box,
      );
    };
    const sel = el.querySelector<HTMLSelectElement>("#year")!;
    sel.addEventListener("change", () => void draw(Number(sel.value)));
    await draw(want);
    await showDay();
  },
  dispose() {
    plot?.destroy();
    plot = undefined;
  },
};
