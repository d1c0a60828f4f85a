// Region explorer: a box (drag corners by two clicks, or type it) or a polygon (click vertices), time
// and pressure range; count, summary statistics, histogram and the request's reproducible API URL.
import type { Page } from "../main";
import { column, esc, fmt, type Profile } from "../api";
import { histogram } from "../svgplot";
import { idle, loaded, makeMap, maplibregl } from "../mapbase";

let map: maplibregl.Map | undefined;

function stats(v: number[]) {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return { n: 0, mean: NaN, median: NaN, min: NaN, max: NaN };
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

export const page: Page = {
  async render(el) {
    el.innerHTML = `<h1>Region explorer</h1>
<div class="map-page"><div id="rmap" class="map" role="region" aria-label="Map: click to draw"></div>
<aside class="side"><form id="rform">
  <fieldset><legend>Shape</legend>
    <label><input type="radio" name="mode" value="box" checked> Box (click two corners)</label>
    <label><input type="radio" name="mode" value="polygon"> Polygon (click vertices)</label>
    <button type="button" id="clear">Clear</button>
  </fieldset>
  <label>Box <input id="box" size="34" value="[[-70,10],[-40,30]]" aria-describedby="box-help"></label>
  <small id="box-help">[[west,south],[east,north]] in degrees</small>
  <label>From <input type="date" id="start" value="2017-01-01"></label>
  <label>To <input type="date" id="end" value="2018-01-01"></label>
  <label>Pressure from <input type="number" id="p0" value="0" min="0"> to <input type="number" id="p1" value="100" min="0"> dbar</label>
  <button type="submit">Search</button>
</form>
<div id="rout" aria-live="polite"></div></aside></div>`;
    map = makeMap(el.querySelector("#rmap") as HTMLElement, [-55, 20], 2);
    await loaded(map);
    const m = map;
    m.addSource("shape", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    m.addLayer({ id: "shape-fill", type: "fill", source: "shape", paint: { "fill-color": "#2b6cb0", "fill-opacity": 0.15 } });
    m.addLayer({ id: "shape-line", type: "line", source: "shape", paint: { "line-color": "#2b6cb0", "line-width": 2 } });
    m.addSource("hits", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    m.addLayer({ id: "hits", type: "circle", source: "hits", paint: { "circle-color": "#5b3f9e", "circle-radius": 4 } });
    let clicks: [number, number][] = [];
    let polygon: [number, number][] | null = null;
    const boxInput = el.querySelector<HTMLInputElement>("#box")!;
    const drawShape = () => {
      let ring: [number, number][] = [];
      if (polygon) ring = [...polygon, polygon[0]];
      else {
        try {
          const [[w, s], [e, n]] = JSON.parse(boxInput.value);
          ring = [[w, s], [e, s], [e, n], [w, n], [w, s]];
        } catch { /* typed box is incomplete */ }
      }
      (m.getSource("shape") as maplibregl.GeoJSONSource).setData({ type: "FeatureCollection", features: ring.length > 3 ? [{ type: "Feature", geometry: { type: "Polygon", coordinates: [ring] }, properties: {} }] : [] });
    };
    drawShape();
    boxInput.addEventListener("change", () => { polygon = null; drawShape(); });
    m.on("click", (e) => {
      const mode = el.querySelector<HTMLInputElement>("input[name=mode]:checked")!.value;
      const pt: [number, number] = [Number(e.lngLat.lng.toFixed(3)), Number(e.lngLat.lat.toFixed(3))];
      clicks.push(pt);
      if (mode === "box" && clicks.length === 2) {
        const [a, b] = clicks;
        boxInput.value = JSON.stringify([[Math.min(a[0], b[0]), Math.min(a[1], b[1])], [Math.max(a[0], b[0]), Math.max(a[1], b[1])]]);
        polygon = null;
        clicks = [];
      } else if (mode === "polygon") {
        polygon = clicks.length >= 3 ? [...clicks] : null;
      }
      drawShape();
    });
    el.querySelector("#clear")!.addEventListener("click", () => { clicks = []; polygon = null; drawShape(); });
    const out = el.querySelector("#rout")!;
    const search = async () => {
      const q = new URLSearchParams();
      if (polygon) q.set("polygon", JSON.stringify([...polygon, polygon[0]]));
      else q.set("box", boxInput.value);
      const s = el.querySelector<HTMLInputElement>("#start")!.value, e = el.querySelector<HTMLInputElement>("#end")!.value;
      if (s) q.set("startDate", `${s}T00:00:00Z`);
      if (e) q.set("endDate", `${e}T00:00:00Z`);
      q.set("presRange", `${el.querySelector<HTMLInputElement>("#p0")!.value},${el.querySelector<HTMLInputElement>("#p1")!.value}`);
      q.set("data", "temperature,salinity");
      const url = `/api/argo?${q}`;
      out.innerHTML = "<p>Searching…</p>";
      try {
        const r = await fetch(url);
        const body = await r.json();
        if (!r.ok) { out.innerHTML = `<p role="alert">${esc(body.message ?? r.statusText)}</p><p>API: <code>${esc(url)}</code></p>`; return; }
        const profiles = body as Profile[];
        const total = r.headers.get("x-total-count") ?? String(profiles.length);
        const T = profiles.flatMap((p) => (column(p, "temperature") ?? []).map((x) => x ?? NaN));
        const S = profiles.flatMap((p) => (column(p, "salinity") ?? []).map((x) => x ?? NaN));
        const ts = stats(T), ss = stats(S);
        (m.getSource("hits") as maplibregl.GeoJSONSource).setData({ type: "FeatureCollection", features: profiles.filter((p) => p.geolocation).map((p) => ({ type: "Feature", geometry: p.geolocation!, properties: { id: p._id } })) });
        out.innerHTML = `<p data-count="${total}"><strong>${total}</strong> profiles, ${ts.n} temperature and ${ss.n} salinity values.</p>
<table class="data"><thead><tr><th scope="col"></th><th scope="col">n</th><th scope="col">mean</th><th scope="col">median</th><th scope="col">min</th><th scope="col">max</th></tr></thead><tbody>
<tr><th scope="row">T (°C)</th><td>${ts.n}</td><td>${fmt(ts.mean)}</td><td>${fmt(ts.median)}</td><td>${fmt(ts.min)}</td><td>${fmt(ts.max)}</td></tr>
<tr><th scope="row">S (psu)</th><td>${ss.n}</td><td>${fmt(ss.mean, 3)}</td><td>${fmt(ss.median, 3)}</td><td>${fmt(ss.min, 3)}</td><td>${fmt(ss.max, 3)}</td></tr></tbody></table>
${histogram(T, { title: "Temperature", xLabel: "°C", yLabel: "levels", width: 320 })}
<p>API: <a href="${esc(url)}"><code>${esc(location.origin + url)}</code></a></p>
<ul>${profiles.slice(0, 50).map((p) => `<li><a href="#/profile/${encodeURIComponent(p._id)}">${esc(p._id)}</a></li>`).join("")}</ul>`;
      } catch (err) {
        out.innerHTML = `<p role="alert">${esc((err as Error).message)}</p>`;
      }
    };
    el.querySelector("#rform")!.addEventListener("submit", (ev) => { ev.preventDefault(); void search(); });
    await search();
    await idle(m);
  },
  dispose() {
    map?.remove();
    map = undefined;
  },
};
