// A MapLibre map over the bundled Natural Earth land polygons: no tile server, no glyphs, no sprites.
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import landUrl from "./basemap/ne_110m_land.geojson?url";

export { maplibregl };
export type { Map as MapT, GeoJSONSource } from "maplibre-gl";

export function makeMap(container: HTMLElement, center: [number, number] = [-40, 20], zoom = 1.3): maplibregl.Map {
  const map = new maplibregl.Map({
    container,
    center,
    zoom,
    attributionControl: { compact: true, customAttribution: "Natural Earth" },
    style: {
      version: 8,
      sources: { land: { type: "geojson", data: landUrl } },
      layers: [
        { id: "ocean", type: "background", paint: { "background-color": "#d8e9f3" } },
        { id: "land", type: "fill", source: "land", paint: { "fill-color": "#eef0e6", "fill-outline-color": "#9aa79a" } },
      ],
    },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  // Expose for the browser tests (queryRenderedFeatures).
  (window as unknown as { __map?: maplibregl.Map }).__map = map;
  return map;
}

export function loaded(map: maplibregl.Map): Promise<void> {
  return new Promise((res) => (map.loaded() ? res() : map.once("load", () => res())));
}

/** Resolves once the map has drawn everything it has (sources loaded, no pending tiles). */
export function idle(map: maplibregl.Map): Promise<void> {
  return new Promise((res) => map.once("idle", () => res()));
}
