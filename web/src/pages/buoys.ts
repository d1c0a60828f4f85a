// Buoy station cards (latest observations with their age) and a station's series over 24 h, 7 d or
// 45 d ending at its newest observation, with data gaps shaded.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Page } from "../main";
import { age, esc, getJson, type LatestObs, type Platform, type SeriesOut } from "../api";

let plot: uPlot | undefined;
const CARD_VARS = ["sea_surface_temperature", "air_temperature", "wind_speed", "wave_height", "air_pressure", "ocean_temperature", "sea_water_salinity"];

export const listPage: Page = {
  async render(el) {
    const [buoys, latest] = await Promise.all([getJson<Platform[]>("/api/buoys"), getJson<LatestObs[]>("/data/latest")]);
    const withData = buoys.filter((b) => b.series_points > 0);
    const by = new Map<string, LatestObs[]>();
    for (const o of latest) (by.get(o.location_id) ?? by.set(o.location_id, []).get(o.location_id)!).push(o);
    el.innerHTML = `<h1>Buoys and stations</h1><p>${withData.length} stations with stored observations (of ${buoys.length} known).</p>
<div class="cards">${withData.map((b) => {
      const obs = (by.get(b.id) ?? []).sort((a, c) => (CARD_VARS.indexOf(a.variable) + 99) % 99 - (CARD_VARS.indexOf(c.variable) + 99) % 99).slice(0, 5);
      const newest = obs.reduce((m, o) => Math.min(m, o.age_seconds), Infinity);
      return `<article class="card buoy" data-station="${esc(b.id)}"><h2><a href="#/buoy/${encodeURIComponent(b.id)}">${esc(b.name ?? b.id)}</a></h2>
<p class="age">${esc(b.id)} · latest ${Number.isFinite(newest) ? age(newest) : "–"}</p>
<dl>${obs.map((o) => `<dt>${esc(o.variable.replace(/_/g, " "))}</dt><dd>${o.value}</dd>`).join("")}</dl></article>`;
    }).join("")}</div>`;
  },
};

export const page: Page = {
  async render(el, args) {
    const id = args[0];
    const platforms = await getJson<Platform[]>("/api/buoys");
    const b = platforms.find((p) => p.id === id);
    if (!b) {
      el.innerHTML = `<h1>Station ${esc(id)}</h1><p role="alert">No station ${esc(id)} is stored.</p>`;
      return;
    }
    const vars = b.variables;
    const want = args[1] && vars.includes(args[1]) ? args[1] : vars.find((v) => CARD_VARS.includes(v)) ?? vars[0];
    el.innerHTML = `<h1>${esc(b.name ?? b.id)} <small>${esc(b.id)}</small></h1>
<div class="controls"><label>Variable <select id="var">${vars.map((v) => `<option ${v === want ? "selected" : ""}>${esc(v)}</option>`).join("")}</select></label>
<fieldset class="inline"><legend>Window</legend>${[["1", "24 h"], ["7", "7 d"], ["45", "45 d"]].map(([d, l], i) => `<label><input type="radio" name="win" value="${d}" ${i === 1 ? "checked" : ""}> ${l}</label>`).join("")}</fieldset>
<a id="api-url" href="#">API URL</a></div>
<p id="summary" aria-live="polite"></p><div id="chart" class="chart"></div>
<p class="note">Shaded bands: gaps longer than three times the usual sampling interval. The window ends at the station's newest observation (${esc(b.last_time ?? "–")}).</p>`;
    const draw = async () => {
      const v = el.querySelector<HTMLSelectElement>("#var")!.value;
      const days = Number(el.querySelector<HTMLInputElement>("input[name=win]:checked")!.value);
      const end = b.last_time ? Date.parse(b.last_time) + 1000 : Date.now();
      const start = end - days * 86400000;
      const url = `/api/buoys/${encodeURIComponent(id)}/series?variable=${encodeURIComponent(v)}&startDate=${new Date(start).toISOString().slice(0, 19)}Z&endDate=${new Date(end).toISOString().slice(0, 19)}Z`;
      (el.querySelector("#api-url") as HTMLAnchorElement).href = url;
      const s = await getJson<SeriesOut>(url);
      const xs = s.data.map((p) => Date.parse(p.time) / 1000);
      const ys = s.data.map((p) => p.value);
      const steps = xs.slice(1).map((x, i) => x - xs[i]).sort((a, c) => a - c);
      const typical = steps.length ? steps[Math.floor(steps.length / 2)] : 0;
      const gaps: [number, number][] = [];
      for (let i = 1; i < xs.length; i++) if (typical > 0 && xs[i] - xs[i - 1] > 3 * typical) gaps.push([xs[i - 1], xs[i]]);
      el.querySelector("#summary")!.textContent = `${s.data.length} observations, ${gaps.length} gap${gaps.length === 1 ? "" : "s"}.`;
      el.querySelector("#chart")!.setAttribute("data-gaps", String(gaps.length));
      plot?.destroy();
      const box = el.querySelector("#chart") as HTMLElement;
      plot = new uPlot({
        width: Math.max(300, box.clientWidth || 800), height: 300, title: v.replace(/_/g, " "),
        series: [{}, { label: v, stroke: "#1f5f8b", width: 1.5, spanGaps: false }],
        scales: { x: { time: true, range: () => [start / 1000, end / 1000] } },
        hooks: {
          drawClear: [(u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = "rgba(200, 60, 60, 0.15)";
            for (const [a, c] of gaps) {
              const x0 = u.valToPos(a, "x", true), x1 = u.valToPos(c, "x", true);
              ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
            }
            ctx.restore();
          }],
        },
      }, [xs, ys], box);
    };
    el.querySelector("#var")!.addEventListener("change", () => void draw());
    el.querySelectorAll("input[name=win]").forEach((r) => r.addEventListener("change", () => void draw()));
    await draw();
  },
  dispose() {
    plot?.destroy();
    plot = undefined;
  },
};
