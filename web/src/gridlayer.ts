// The map's grid layer: a stored SST / HotSpot / DHW / BAA grid drawn as a raster image from
// /api/grids/{dataset}/{variable}/image.png (the server colours it), with a time picker and a colour bar
// from .../legend. Only heat-stress and SST variables are offered.
import { getJson, esc, type GridEntry, type GridLegend } from "./api";
import type { maplibregl as MaplibreNs } from "./mapbase";

const OFFERED = /^(crw_(sst|hotspot|dhw|baa.*)|analysed_sst|sea_surface_temperature|sst)$/i;

export function gridControlsHtml(): string {
  return `<fieldset class="toggles grid-controls"><legend>Grid layer</legend>
  <label for="grid-var">Variable</label>
  <select id="grid-var"><option value="">None</option></select>
  <label for="grid-time">Time</label>
  <select id="grid-time" disabled></select>
  <div id="grid-legend" class="grid-legend" aria-live="polite"></div>
</fieldset>`;
}

function legendHtml(l: GridLegend): string {
  const title = `<p class="grid-legend-title">${esc(l.long_name || l.variable)}${l.units && l.units !== "1" ? ` (${esc(l.units)})` : ""}</p>`;
  if (l.kind === "levels") {
    return title + `<ul class="legend">${l.stops.map((s) => `<li data-value="${s.value}"><span class="swatch" style="background:${s.color}"></span>${esc(s.label ?? String(s.value))}</li>`).join("")}</ul>`;
  }
  const gradient = `linear-gradient(to right, ${l.stops.map((s) => s.color).join(", ")})`;
  const f = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3));
  return title + `<div class="colorbar" role="img" aria-label="colour bar from ${f(l.min)} to ${f(l.max)}${l.log ? ", logarithmic" : ""}" style="background:${gradient}"></div>
<div class="colorbar-labels"><span>${f(l.min)}</span><span>${f(l.max)}</span></div>`;
}

/** Wires the controls to the map: options from /api/grids, the image source and the colour bar. */
export async function attachGridLayer(el: HTMLElement, m: MaplibreNs.Map, beforeLayer: string): Promise<void> {
  const varSel = el.querySelector<HTMLSelectElement>("#grid-var")!;
  const timeSel = el.querySelector<HTMLSelectElement>("#grid-time")!;
  const legend = el.querySelector<HTMLElement>("#grid-legend")!;
  const pageEl = el.querySelector<HTMLElement>(".map-page")!;
  let grids: GridEntry[] = [];
  try {
    grids = (await getJson<GridEntry[]>("/api/grids")).filter((g) => OFFERED.test(g.variable) && g.bounds.every((b) => b !== null));
  } catch (e) {
    legend.innerHTML = `<p role="alert">Grids could not be loaded: ${esc((e as Error).message)}</p>`;
  }
  varSel.insertAdjacentHTML("beforeend", grids.map((g, i) => `<option value="${i}">${esc(g.dataset)} · ${esc(g.long_name || g.variable)}</option>`).join(""));
  pageEl.setAttribute("data-grids", String(grids.length));
  const clear = () => {
    if (m.getLayer("grid")) m.removeLayer("grid");
    if (m.getSource("grid")) m.removeSource("grid");
  };
  const show = async (fit = false) => {
    const g = grids[Number(varSel.value)];
    if (varSel.value === "" || !g) {
      clear();
      timeSel.disabled = true;
      timeSel.innerHTML = "";
      legend.innerHTML = "";
      pageEl.removeAttribute("data-grid");
      return;
    }
    const time = timeSel.value;
    const q = time ? `?time=${encodeURIComponent(time)}` : "";
    const [w, s, e, n] = g.bounds as [number, number, number, number];
    const url = `${g.image_url}${q}${q ? "&" : "?"}width=${Math.min(1024, Math.max(256, g.shape[1]))}`;
    const coordinates: [[number, number], [number, number], [number, number], [number, number]] = [[w, n], [e, n], [e, s], [w, s]];
    const src = m.getSource("grid") as MaplibreNs.ImageSource | undefined;
    if (src) {
      src.updateImage({ url, coordinates });
    } else {
      m.addSource("grid", { type: "image", url, coordinates });
      m.addLayer({ id: "grid", type: "raster", source: "grid", paint: { "raster-opacity": 0.85, "raster-resampling": "nearest" } }, beforeLayer);
    }
    // A newly chosen grid is brought into view (a reef-scale grid is a dot at world zoom).
    if (fit) m.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 9, duration: 0 });
    const l = await getJson<GridLegend>(`${g.legend_url}${q}`);
    legend.innerHTML = legendHtml(l);
    legend.setAttribute("data-palette", l.palette);
    m.once("idle", () => pageEl.setAttribute("data-grid", `${g.dataset}/${g.variable}@${l.time ?? ""}`));
  };
  varSel.addEventListener("change", () => {
    const g = grids[Number(varSel.value)];
    timeSel.innerHTML = g ? g.times.slice().reverse().map((t) => `<option value="${esc(t)}">${esc(t.slice(0, 10))}</option>`).join("") : "";
    timeSel.disabled = !g || g.times.length === 0;
    void show(true);
  });
  timeSel.addEventListener("change", () => void show());
}
