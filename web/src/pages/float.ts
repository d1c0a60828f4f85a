// Floats: the list of floats, and a float page with its trajectory coloured by time, cycle list and a
// depth–time section of temperature.
import type { Page } from "../main";
import { column, esc, getJson, type FloatLatest, type Profile } from "../api";
import { idle, loaded, makeMap, maplibregl } from "../mapbase";
import { ramp } from "../svgplot";

let map: maplibregl.Map | undefined;

export const listPage: Page = {
  async render(el) {
    const floats = await getJson<FloatLatest[]>("/api/floats/latest");
    el.innerHTML = `<h1>Argo floats</h1><p>${floats.length} floats with positioned profiles (latest position each).</p>
<table class="data"><thead><tr><th scope="col">WMO</th><th scope="col">Latest profile</th><th scope="col">Time</th><th scope="col">Position</th><th scope="col">Profiles</th></tr></thead><tbody>
${floats.map((f) => `<tr><td><a href="#/float/${encodeURIComponent(f.platform)}">${esc(f.platform)}</a></td><td><a href="#/profile/${encodeURIComponent(f.profile_id)}">${esc(f.profile_id)}</a></td><td>${esc(f.timestamp.slice(0, 16))}</td><td>${f.geolocation.coordinates[1].toFixed(2)}, ${f.geolocation.coordinates[0].toFixed(2)}</td><td>${f.profiles}</td></tr>`).join("")}</tbody></table>`;
  },
};

function section(profiles: Profile[]): string {
  const W = 640, H = 300, L = 56, R = 12, T = 24, B = 36;
  const cols = profiles.filter((p) => column(p, "temperature") && p.timestamp);
  if (!cols.length) return "<p>No temperature to draw a section.</p>";
  const times = cols.map((p) => Date.parse(p.timestamp!));
  const t0 = Math.min(...times), t1 = Math.max(...times) || t0 + 1;
  let pmax = 0, vmin = Infinity, vmax = -Infinity;
  for (const p of cols) {
    for (const x of column(p, "pressure")!) if (x !== null) pmax = Math.max(pmax, x);
    for (const x of column(p, "temperature")!) if (x !== null) { vmin = Math.min(vmin, x); vmax = Math.max(vmax, x); }
  }
  const w = Math.max(3, (W - L - R) / cols.length);
  let rects = "";
  cols.forEach((p, k) => {
    const x = L + (t1 > t0 ? ((times[k] - t0) / (t1 - t0)) * (W - L - R - w) : 0);
    const pr = column(p, "pressure")!, tv = column(p, "temperature")!;
    for (let i = 0; i < pr.length; i++) {
      if (pr[i] === null || tv[i] === null) continue;
      const y0 = T + ((pr[i]! / pmax) * (H - T - B));
      const y1 = i + 1 < pr.length && pr[i + 1] !== null ? T + ((pr[i + 1]! / pmax) * (H - T - B)) : y0 + 2;
      rects += `<rect x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(1, y1 - y0).toFixed(1)}" fill="${ramp((tv[i]! - vmin) / (vmax - vmin || 1))}"/>`;
    }
  });
  return `<svg class="plot wide" viewBox="0 0 ${W} ${H}" role="img" aria-label="Depth–time section of temperature"><title>Depth–time section of temperature</title>${rects}
<text x="${L}" y="16" class="plot-title">Temperature section, ${vmin.toFixed(1)}–${vmax.toFixed(1)} °C (blue→red)</text>
<text x="${L - 6}" y="${T + 4}" text-anchor="end">0</text><text x="${L - 6}" y="${H - B}" text-anchor="end">${Math.round(pmax)}</text>
<text x="${L}" y="${H - 12}">${new Date(t0).toISOString().slice(0, 10)}</text><text x="${W - R}" y="${H - 12}" text-anchor="end">${new Date(t1).toISOString().slice(0, 10)}</text>
<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" class="axis-label">pressure (dbar)</text></svg>`;
}

export const page: Page = {
  async render(el, args) {
    const wmo = args[0];
    const url = `/api/argo?platform=${encodeURIComponent(wmo)}&data=all`;
    const profiles = await getJson<Profile[]>(url);
    if (!profiles.length) {
      el.innerHTML = `<h1>Float ${esc(wmo)}</h1><p role="alert">No profiles stored for float ${esc(wmo)}.</p>`;
      return;
    }
    const located = profiles.filter((p) => p.geolocation && p.timestamp);
    el.innerHTML = `<h1>Argo float ${esc(wmo)}</h1>
<div class="float-page"><div id="fmap" class="map small" role="region" aria-label="Trajectory map"></div>
<section class="card"><h2>Cycles (${profiles.length})</h2><ol class="cycles">${profiles.map((p) => `<li><a href="#/profile/${encodeURIComponent(p._id)}">${esc(p._id)}</a> <small>${esc(p.timestamp?.slice(0, 10) ?? "")}</small></li>`).join("")}</ol>
<p>API: <code>${esc(location.origin + url)}</code></p></section></div>
${section(profiles)}`;
    map = makeMap(el.querySelector("#fmap") as HTMLElement, (located.at(-1)?.geolocation?.coordinates ?? [0, 0]) as [number, number], 3);
    await loaded(map);
    const n = located.length;
    const feats = located.map((p, i) => ({ type: "Feature" as const, geometry: p.geolocation!, properties: { id: p._id, c: ramp(n > 1 ? i / (n - 1) : 1) } }));
    const segs = located.slice(1).map((p, i) => ({ type: "Feature" as const, geometry: { type: "LineString" as const, coordinates: [located[i].geolocation!.coordinates, p.geolocation!.coordinates] }, properties: { c: ramp(n > 1 ? (i + 1) / (n - 1) : 1) } }));
    map.addSource("track", { type: "geojson", data: { type: "FeatureCollection", features: [...segs, ...feats] } });
    map.addLayer({ id: "track-line", type: "line", source: "track", filter: ["==", ["geometry-type"], "LineString"], paint: { "line-color": ["get", "c"], "line-width": 2 } });
    map.addLayer({ id: "track-pts", type: "circle", source: "track", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-color": ["get", "c"], "circle-radius": 4, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
    if (n > 1) {
      const b = new maplibregl.LngLatBounds();
      for (const p of located) b.extend(p.geolocation!.coordinates as [number, number]);
      map.fitBounds(b, { padding: 30, maxZoom: 6, duration: 0 });
    }
    map.on("click", "track-pts", (e) => (location.hash = `#/profile/${e.features![0].properties!.id}`));
    await idle(map);
  },
  dispose() {
    map?.remove();
    map = undefined;
  },
};
