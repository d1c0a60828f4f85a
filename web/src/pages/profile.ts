// Argo profile: T and S vs pressure (y inverted), raw vs adjusted, points coloured by QC, T–S diagram,
// metadata, previous/next cycle, downloads.
import type { Page } from "../main";
import { column, csv, download, esc, getJson, type MinimalStub, type Profile } from "../api";
import { qcColor, scatter, type XYSeries } from "../svgplot";

const num = (v: (number | null)[] | undefined) => (v ?? []).map((x) => (x === null ? NaN : x));

function vsPressure(name: string, unit: string, best: Profile, raw: Profile | null): string {
  const p = num(column(best, "pressure"));
  const v = num(column(best, name));
  const q = column(best, `${name}_argoqc`) ?? [];
  const series: XYSeries[] = [];
  if (raw && best.data_mode !== "R") {
    series.push({ label: "raw", x: num(column(raw, name)), y: num(column(raw, "pressure")), color: "#b8c2cc", radius: 2 });
  }
  series.push({ label: "best", x: v, y: p, color: q.map((f) => qcColor(f)), line: true, pointData: (i) => `data-qc="${q[i] ?? ""}"` });
  return scatter(series, { title: `${name[0].toUpperCase()}${name.slice(1)} (${unit})`, xLabel: unit, yLabel: "pressure (dbar)", invertY: true });
}

export const page: Page = {
  async render(el, args) {
    const id = args[0] || "6902746_034";
    const apiUrl = `/api/profiles/${encodeURIComponent(id)}`;
    const best = await getJson<Profile>(apiUrl);
    const raw = await getJson<Profile>(`${apiUrl}?values=raw`).catch(() => null);
    const stubs = await getJson<MinimalStub[]>(`/api/argo?platform=${encodeURIComponent(best.platform_number)}&compression=minimal`);
    const ids = stubs.map((s) => s[0]);
    const at = ids.indexOf(best._id);
    const prev = at > 0 ? ids[at - 1] : null;
    const next = at >= 0 && at < ids.length - 1 ? ids[at + 1] : null;
    const pres = column(best, "pressure") ?? [];
    const temp = num(column(best, "temperature"));
    const psal = num(column(best, "salinity"));
    const [lon, lat] = best.geolocation?.coordinates ?? [null, null];
    el.innerHTML = `<h1>Argo profile ${esc(best._id)}</h1>
<nav class="cycle-nav" aria-label="Cycles">${prev ? `<a href="#/profile/${prev}" rel="prev">← ${prev}</a>` : "<span>first cycle</span>"} <a href="#/float/${encodeURIComponent(best.platform_number)}">float ${esc(best.platform_number)}</a> ${next ? `<a href="#/profile/${next}" rel="next">${next} →</a>` : "<span>last cycle</span>"}</nav>
<div class="profile-page" data-levels="${pres.length}">
  <div class="plots">
    ${column(best, "temperature") ? vsPressure("temperature", "°C", best, raw) : ""}
    ${column(best, "salinity") ? vsPressure("salinity", "psu", best, raw) : ""}
    ${column(best, "salinity") && column(best, "temperature") ? scatter([{ label: "T–S", x: psal, y: temp, color: pres.map((p) => `hsl(${220 - Math.min(1, (p ?? 0) / 2000) * 220} 70% 40%)`) }], { title: "T–S diagram (colour: pressure)", xLabel: "salinity (psu)", yLabel: "temperature (°C)" }) : ""}
  </div>
  <section class="card meta" aria-labelledby="meta-h">
    <h2 id="meta-h">Metadata</h2>
    <dl>
      <dt>WMO</dt><dd>${esc(best.platform_number)}</dd><dt>Cycle</dt><dd>${best.cycle_number} (${best.profile_direction === "D" ? "descending" : "ascending"})</dd>
      <dt>DAC</dt><dd>${esc(best.data_centre || "–")}</dd><dt>Data mode</dt><dd>${esc(best.data_mode)}</dd>
      <dt>Position</dt><dd>${lat === null ? "–" : `${lat.toFixed(3)}°, ${lon!.toFixed(3)}°`} (QC ${best.geolocation_argoqc ?? "–"})</dd>
      <dt>Time</dt><dd>${esc(best.timestamp ?? "–")} (QC ${best.timestamp_argoqc ?? "–"})</dd>
      <dt>Levels</dt><dd>${pres.length}</dd><dt>Source</dt><dd>${esc(best.source.map((s) => s.file).join(", "))}</dd>
      <dt>Sampling</dt><dd>${esc(best.vertical_sampling_scheme || "–")}</dd>
    </dl>
    <p class="qc-legend">QC: ${[1, 2, 3, 4].map((q) => `<span class="swatch" style="background:${qcColor(q)}"></span>${q}`).join(" ")} · grey: raw values</p>
    <p><button type="button" id="csv">Download CSV</button> <a href="${apiUrl}" download="${esc(best._id)}.json">JSON</a> · API: <code>${esc(location.origin + apiUrl)}</code></p>
  </section>
</div>
<details><summary>Levels table (${pres.length})</summary><table class="levels"><thead><tr><th scope="col">pressure</th><th scope="col">temperature</th><th scope="col">salinity</th></tr></thead><tbody>${pres.map((p, i) => `<tr><td>${p ?? ""}</td><td>${Number.isNaN(temp[i]) ? "" : temp[i]}</td><td>${Number.isNaN(psal[i] ?? NaN) ? "" : psal[i]}</td></tr>`).join("")}</tbody></table></details>`;
    el.querySelector<HTMLButtonElement>("#csv")!.onclick = () => {
      const names = best.data_info[0];
      download(`${best._id}.csv`, csv([names, ...pres.map((_, i) => best.data.map((c) => c[i]))]));
    };
  },
};
