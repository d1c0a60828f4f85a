// Chat panel: a question with example chips, sent to POST /api/chat; the parsed interpretation (region on
// the map, time, depth, variables, aggregation) is shown before the results.
import type { Page } from "../main";
import { esc } from "../api";
import { idle, loaded, makeMap, maplibregl } from "../mapbase";

let map: maplibregl.Map | undefined;
const session = crypto.randomUUID?.() ?? String(Math.random());

const EXAMPLES = [
  "What is the bleaching alert level in the Florida Keys?",
  "Average temperature at 0-100 dbar near 19N 58W in December 2017",
  "Salinity profiles in the North Atlantic in 2017",
  "Wave height at buoy 41001 last week",
];

interface ChatAnswer {
  interpretation?: { variables?: string[]; region?: GeoJSON.GeoJSON | null; time?: unknown; depth?: unknown; agg?: unknown; platform?: unknown; value_filter?: unknown; clarify?: unknown; summary?: string };
  clarification?: { message: string; choices: string[] } | null;
  results?: unknown;
  data_source?: unknown;
  view?: unknown;
  suggestions?: string[];
  api_url?: string | null;
}

const show = (v: unknown) => (v === null || v === undefined || v === "" ? "–" : typeof v === "string" ? esc(v) : `<code>${esc(JSON.stringify(v))}</code>`);

export const page: Page = {
  async render(el) {
    el.innerHTML = `<h1>Ask the data</h1>
<form id="chat-form" class="chat-form"><label for="q">Question</label>
<input id="q" name="q" type="text" autocomplete="off" placeholder="e.g. ${esc(EXAMPLES[0])}">
<button type="submit">Ask</button></form>
<div class="chips" role="group" aria-label="Example questions">${EXAMPLES.map((e) => `<button type="button" class="chip">${esc(e)}</button>`).join("")}</div>
<div class="chat-out"><section id="interp" class="card" aria-live="polite" aria-labelledby="int-h"><h2 id="int-h">Interpretation</h2><p>Ask a question to see how it is understood.</p></section>
<div id="cmap" class="map small" role="region" aria-label="Region of the question"></div></div>
<section id="results" class="card" aria-live="polite" aria-labelledby="res-h"><h2 id="res-h">Results</h2></section>`;
    map = makeMap(el.querySelector("#cmap") as HTMLElement, [-40, 20], 0.8);
    await loaded(map);
    const m = map;
    m.addSource("region", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    m.addLayer({ id: "region-fill", type: "fill", source: "region", paint: { "fill-color": "#c05621", "fill-opacity": 0.2 } });
    m.addLayer({ id: "region-line", type: "line", source: "region", paint: { "line-color": "#c05621", "line-width": 2 } });
    const input = el.querySelector<HTMLInputElement>("#q")!;
    const interp = el.querySelector("#interp")!;
    const results = el.querySelector("#results")!;
    const ask = async (question: string) => {
      if (!question.trim()) return;
      interp.innerHTML = `<h2 id="int-h">Interpretation</h2><p>Thinking…</p>`;
      results.innerHTML = `<h2 id="res-h">Results</h2>`;
      let r: Response;
      try {
        r = await fetch("/api/chat", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question, session }) });
      } catch (e) {
        interp.innerHTML = `<h2 id="int-h">Interpretation</h2><p role="alert">The server could not be reached: ${esc((e as Error).message)}</p>`;
        return;
      }
      if (r.status === 404 || r.status === 405) {
        interp.innerHTML = `<h2 id="int-h">Interpretation</h2><p class="empty" role="alert" data-chat="absent">Questions in plain language are not available on this server yet (<code>POST /api/chat</code> is missing). Use the map, the region explorer or the API meanwhile.</p>`;
        return;
      }
      const a = (await r.json().catch(() => ({}))) as ChatAnswer & { message?: string };
      if (!r.ok) {
        interp.innerHTML = `<h2 id="int-h">Interpretation</h2><p role="alert">${esc(a.message ?? r.statusText)}</p>`;
        return;
      }
      const i = a.interpretation ?? {};
      interp.innerHTML = `<h2 id="int-h">Interpretation</h2>${i.summary ? `<p class="summary">${esc(i.summary)}</p>` : ""}
<dl class="interp" data-interpretation="yes"><dt>Variables</dt><dd>${show(i.variables?.join(", "))}</dd><dt>Region</dt><dd>${i.region ? "drawn on the map" : "–"}</dd><dt>Time</dt><dd>${show(i.time)}</dd><dt>Depth</dt><dd>${show(i.depth)}</dd><dt>Aggregation</dt><dd>${show(i.agg)}</dd><dt>Platform</dt><dd>${show(i.platform)}</dd>${i.value_filter ? `<dt>Filter</dt><dd>${show(i.value_filter)}</dd>` : ""}</dl>
${a.clarification ? `<div class="clarify"><p>${esc(a.clarification.message)}</p><div class="chips">${a.clarification.choices.map((c) => `<button type="button" class="chip clar">${esc(c)}</button>`).join("")}</div></div>` : ""}`;
      interp.querySelectorAll<HTMLButtonElement>(".clar").forEach((b) => b.addEventListener("click", () => { input.value = b.textContent ?? ""; void ask(input.value); }));
      const region = i.region as GeoJSON.GeoJSON | null | undefined;
      const feats: GeoJSON.Feature[] = !region ? [] : region.type === "FeatureCollection" ? region.features : region.type === "Feature" ? [region] : [{ type: "Feature", geometry: region as GeoJSON.Geometry, properties: {} }];
      (m.getSource("region") as maplibregl.GeoJSONSource).setData({ type: "FeatureCollection", features: feats });
      if (feats.length) {
        const b = new maplibregl.LngLatBounds();
        const walk = (c: unknown): void => { if (Array.isArray(c) && typeof c[0] === "number") b.extend(c as [number, number]); else if (Array.isArray(c)) c.forEach(walk); };
        feats.forEach((f) => walk((f.geometry as GeoJSON.Polygon).coordinates));
        if (!b.isEmpty()) m.fitBounds(b, { padding: 20, maxZoom: 6, duration: 0 });
      }
      const res = a.results;
      const count = Array.isArray(res) ? res.length : null;
      results.innerHTML = `<h2 id="res-h">Results</h2>${count !== null ? `<p>${count} result${count === 1 ? "" : "s"}.</p>` : ""}
<pre class="json">${esc(JSON.stringify(res, null, 2)?.slice(0, 4000) ?? "null")}</pre>
${a.api_url ? `<p>API: <a href="${esc(a.api_url)}"><code>${esc(a.api_url)}</code></a></p>` : ""}
${a.suggestions?.length ? `<div class="chips" role="group" aria-label="Suggestions">${a.suggestions.map((s) => `<button type="button" class="chip sug">${esc(s)}</button>`).join("")}</div>` : ""}`;
      results.querySelectorAll<HTMLButtonElement>(".sug").forEach((b) => b.addEventListener("click", () => { input.value = b.textContent ?? ""; void ask(input.value); }));
    };
    el.querySelector("#chat-form")!.addEventListener("submit", (e) => { e.preventDefault(); void ask(input.value); });
    el.querySelectorAll<HTMLButtonElement>(".chips .chip").forEach((b) => b.addEventListener("click", () => { input.value = b.textContent ?? ""; void ask(input.value); }));
    await idle(m);
  },
  dispose() {
    map?.remove();
    map = undefined;
  },
};
