// Map: reef sites coloured by Bleaching Alert Area level, Argo floats (latest position, clustered),
// buoys; layer toggles; click → side panel.
import type { Page } from "../main";
import { getJson, esc, fmt, type FloatLatest, type Platform, type ReefStatus } from "../api";
import { BAA_LEVELS, NO_DATA_COLOR, baaColor, baaName, legendHtml } from "../baa";
import type { maplibregl as MaplibreNs } from "../mapbase";
import { attachGridLayer, gridControlsHtml } from "../gridlayer";

let map: MaplibreNs.Map | undefined;

const BUOY_KINDS = new Set(["buoy", "fixed_station", "dart", "other"]);

export const page: Page = {
  async render(el) {
    el.innerHTML = `<h1 class="sr-only">Map of reef sites, floats and buoys</h1>
<div class="map-page">
  <div id="map" class="map" role="region" aria-label="Map"></div>
  <aside class="side" aria-label="Layers and details">
    <fieldset class="toggles"><legend>Layers</legend>
      <label><input type="checkbox" data-layer="reefs" checked> Reef sites</label>
      <label><input type="checkbox" data-layer="floats" checked> Argo floats (latest position)</label>
      <label><input type="checkbox" data-layer="buoys" checked> Buoys and stations</label>
    </fieldset>
    ${gridControlsHtml()}
    <h2>Bleaching Alert Area (7-day max)</h2>
    ${legendHtml()}
    <div id="panel" class="panel" aria-live="polite"><p>Select a site, float or buoy on the map.</p></div>
    <h2>Reef sites</h2>
    <ul id="reef-list" class="reef-list"></ul>
  </aside>
</div>`;
    // Data and the map library load in parallel; buoys (a large list) do not hold up the first draw.
    const buoysP = getJson<Platform[]>("/api/buoys");
    const mapLib = import("../mapbase");
    const [reefs, floats] = await Promise.all([getJson<ReefStatus[]>("/api/reefs/status"), getJson<FloatLatest[]>("/api/floats/latest")]);
    performance.mark("map:data");
    const list = el.querySelector("#reef-list")!;
    list.innerHTML = reefs.length
      ? reefs.map((r) => {
          const lvl = r.latest?.baa_7day_max ?? null;
          return `<li data-site="${esc(r.site)}" data-baa="${lvl ?? ""}" data-color="${baaColor(lvl)}"><span class="swatch" style="background:${baaColor(lvl)}"></span><a href="#/reef/${encodeURIComponent(r.site)}">${esc(r.name)}</a> — ${baaName(lvl)}${r.latest ? `, DHW ${fmt(r.latest.dhw)} °C-weeks on ${r.latest.date}` : ""}</li>`;
        }).join("")
      : `<li>No reef sites stored.</li>`;

    performance.mark("map:list");
    // The page is usable (legend, reef statuses, links) now; the WebGL map is drawn next and marks
    // itself with data-map="drawn".
    void drawMap(el, reefs, floats, buoysP, mapLib);
  },
  dispose() {
    map?.remove();
    map = undefined;
  },
};

async function drawMap(
  el: HTMLElement,
  reefs: ReefStatus[],
  floats: FloatLatest[],
  buoysP: Promise<Platform[]>,
  mapLib: Promise<typeof import("../mapbase")>,
) {
    const { makeMap, loaded } = await mapLib;
    map = makeMap(el.querySelector("#map") as HTMLElement);
    const m = map;
    await loaded(m);
    if (map !== m) return;
    m.addSource("reefs", {
      type: "geojson",
      data: {
        type: "FeatureCollection",
        features: reefs.map((r) => ({
          type: "Feature", geometry: r.geolocation,
          properties: { id: r.site, name: r.name, baa: r.latest?.baa_7day_max ?? -1, dhw: r.latest?.dhw ?? null, date: r.latest?.date ?? "", color: baaColor(r.latest?.baa_7day_max) },
        })),
      },
    });
    m.addSource("floats", {
      type: "geojson", cluster: true, clusterRadius: 40, clusterMaxZoom: 8,
      data: { type: "FeatureCollection", features: floats.map((f) => ({ type: "Feature", geometry: f.geolocation, properties: { id: f.platform, profile: f.profile_id, time: f.timestamp, profiles: f.profiles } })) },
    });
    m.addSource("buoys", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    const pageEl = el.querySelector(".map-page")!;
    void buoysP.then((platforms) => {
      if (map !== m) return;
      const buoys = platforms.filter((p) => p.geolocation && BUOY_KINDS.has(p.kind));
      (m.getSource("buoys") as MaplibreNs.GeoJSONSource).setData({ type: "FeatureCollection", features: buoys.map((b) => ({ type: "Feature", geometry: b.geolocation!, properties: { id: b.id, name: b.name ?? b.id, kind: b.kind, points: b.series_points } })) });
      m.once("idle", () => pageEl.setAttribute("data-buoys", String(buoys.length)));
    }).catch((e) => {
      pageEl.insertAdjacentHTML("beforeend", `<p role="alert">Buoys could not be loaded: ${esc((e as Error).message)}</p>`);
    });
    m.addLayer({ id: "buoys", type: "circle", source: "buoys", paint: { "circle-radius": ["case", [">", ["get", "points"], 0], 5, 2.5], "circle-color": ["case", [">", ["get", "points"], 0], "#1f5f8b", "#7f9cb0"], "circle-stroke-color": "#fff", "circle-stroke-width": 0.5 } });
    m.addLayer({ id: "float-clusters", type: "circle", source: "floats", filter: ["has", "point_count"], paint: { "circle-color": "#5b3f9e", "circle-opacity": 0.8, "circle-radius": ["step", ["get", "point_count"], 12, 50, 16, 500, 22] } });
    m.addLayer({ id: "floats", type: "circle", source: "floats", filter: ["!", ["has", "point_count"]], paint: { "circle-color": "#5b3f9e", "circle-radius": 4, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
    m.addLayer({
      id: "reefs", type: "circle", source: "reefs",
      paint: {
        "circle-radius": 8,
        "circle-color": ["match", ["get", "baa"], ...BAA_LEVELS.flatMap((l) => [l.level, l.color]), NO_DATA_COLOR] as unknown as string,
        "circle-stroke-color": "#222", "circle-stroke-width": 1.5,
      },
    });
    void attachGridLayer(el, m, "buoys");
    const groups: Record<string, string[]> = { reefs: ["reefs"], floats: ["floats", "float-clusters"], buoys: ["buoys"] };
    el.querySelectorAll<HTMLInputElement>("input[data-layer]").forEach((cb) =>
      cb.addEventListener("change", () => groups[cb.dataset.layer!].forEach((id) => m.setLayoutProperty(id, "visibility", cb.checked ? "visible" : "none"))),
    );
    const panel = el.querySelector("#panel")!;
    m.on("click", "reefs", (e) => {
      const p = e.features![0].properties as Record<string, unknown>;
      const r = reefs.find((x) => x.site === p.id)!;
      panel.innerHTML = `<h3>${esc(r.name)}</h3><p><span class="swatch" style="background:${baaColor(r.latest?.baa_7day_max)}"></span>${baaName(r.latest?.baa_7day_max)} (${r.days_at_level} days)</p>
<dl><dt>Date</dt><dd>${esc(r.latest?.date ?? "–")}</dd><dt>SST</dt><dd>${fmt(r.latest?.sst_90th_hs)} °C</dd><dt>DHW</dt><dd>${fmt(r.latest?.dhw)} °C-weeks</dd><dt>HotSpot</dt><dd>${fmt(r.latest?.hotspot)} °C</dd></dl>
<p><a href="#/reef/${encodeURIComponent(r.site)}">Open the station page</a></p>`;
    });
    m.on("click", "floats", (e) => {
      const p = e.features![0].properties as Record<string, string>;
      panel.innerHTML = `<h3>Argo float ${esc(p.id)}</h3><dl><dt>Latest profile</dt><dd>${esc(p.profile)}</dd><dt>Time</dt><dd>${esc(p.time)}</dd><dt>Profiles</dt><dd>${esc(p.profiles)}</dd></dl>
<p><a href="#/profile/${encodeURIComponent(p.profile)}">Latest profile</a> · <a href="#/float/${encodeURIComponent(p.id)}">Float page</a></p>`;
    });
    m.on("click", "float-clusters", (e) => {
      const f = e.features![0];
      m.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom: m.getZoom() + 2 });
    });
    m.on("click", "buoys", (e) => {
      const p = e.features![0].properties as Record<string, string>;
      panel.innerHTML = `<h3>${esc(p.name)}</h3><dl><dt>Station</dt><dd>${esc(p.id)} (${esc(p.kind)})</dd><dt>Stored observations</dt><dd>${esc(p.points)}</dd></dl>${Number(p.points) > 0 ? `<p><a href="#/buoy/${encodeURIComponent(p.id)}">Series</a></p>` : ""}`;
    });
    for (const id of ["reefs", "floats", "float-clusters", "buoys"]) {
      m.on("mouseenter", id, () => (m.getCanvas().style.cursor = "pointer"));
      m.on("mouseleave", id, () => (m.getCanvas().style.cursor = ""));
    }
    // Ready once a frame with the reef and float layers is drawn.
    await new Promise<void>((res) => m.once("render", () => res()));
    pageEl.setAttribute("data-reefs", String(reefs.length));
    pageEl.setAttribute("data-map", "drawn");
    performance.mark("map:drawn");
}
