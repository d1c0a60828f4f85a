// Typed access to halocline's own REST API (the only data source of the dashboard).

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  if (!r.ok) {
    let msg = `${r.status} ${r.statusText}`;
    try {
      const b = await r.json();
      if (b && typeof b.message === "string") msg = b.message;
    } catch {
      /* body is not JSON */
    }
    throw new ApiError(r.status, msg);
  }
  return (await r.json()) as T;
}

export interface GeoPoint { type: "Point"; coordinates: [number, number] }

export interface Platform {
  id: string; kind: string; name: string | null; geolocation: GeoPoint | null;
  profiles: number; series_points: number; heat_stress_days: number; variables: string[];
  first_time: string | null; last_time: string | null; attributes: Record<string, unknown>;
}

export interface HeatStressDay {
  date: string; sst_min: number | null; sst_max: number | null; sst_90th_hs: number | null;
  ssta_90th_hs: number | null; hotspot: number | null; dhw: number | null; baa_7day_max: number | null;
}

export interface HeatStress {
  site: string; name: string; geolocation: GeoPoint; mmm: number | null;
  monthly_means: number[] | null; count: number; data: HeatStressDay[];
}

export interface ReefStatus {
  site: string; name: string; geolocation: GeoPoint; mmm: number | null;
  latest: HeatStressDay | null; days_at_level: number;
}

export interface FloatLatest {
  platform: string; profile_id: string; cycle: number; timestamp: string; geolocation: GeoPoint; profiles: number;
}

export interface Profile {
  _id: string; geolocation: GeoPoint | null; timestamp: string | null;
  source: { source: string[]; file: string; format: string }[];
  cycle_number: number; profile_direction: string; geolocation_argoqc: number | null;
  timestamp_argoqc: number | null; data_mode: string; data_centre: string;
  vertical_sampling_scheme: string; platform_number: string;
  data_info: [string[], string[], [string, string][]];
  data: (number | null)[][];
}

/** A profile's column by Argovis name (`temperature`, `temperature_argoqc`), or undefined. */
export function column(p: Profile, name: string): (number | null)[] | undefined {
  const i = p.data_info[0].indexOf(name);
  return i < 0 ? undefined : p.data[i];
}

export type MinimalStub = [string, number | null, number | null, string | null, string[]];

export interface SeriesOut {
  platform: string; variable: string; units?: string; count?: number;
  data: { time: string; depth: number; value: number; qc: number | null }[];
}

export interface LatestObs {
  location_id: string; variable: string; timestamp: string; age_seconds: number;
  depth: number; value: number; quality_flag: number | null;
}

export interface Anomaly {
  location_id: string; variable: string; timestamp: string; value: number;
  quality_flag: number | null; kind: string; z?: number | null; reason: string;
}

export interface Stats {
  files: number; platforms: number; profiles: number; levels: number; series_points: number;
  reef_sites: number; heat_stress_days: number;
  variables: { variable: string; units: string; platforms: number; count: number; min: number; max: number; mean: number; first: string; last: string }[];
}

export function esc(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function fmt(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(digits);
}

/** "3 h ago", "2 d ago", "1.2 y ago". */
export function age(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  if (s < 3 * 365 * 86400 && s < 60 * 86400) return `${Math.round(s / 86400)} d ago`;
  if (s < 730 * 86400) return `${Math.round(s / 86400)} d ago`;
  return `${(s / (365.25 * 86400)).toFixed(1)} y ago`;
}

/** Saves text as a file the browser downloads. */
export function download(name: string, text: string, type = "text/csv") {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function csv(rows: (string | number | null | undefined)[][]): string {
  return rows.map((r) => r.map((v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(",")).join("\n") + "\n";
}

export interface GridEntry {
  dataset: string; variable: string; units: string; long_name: string; standard_name: string; count: number;
  times: string[]; time_coverage: [string, string] | null; bounds: [number | null, number | null, number | null, number | null];
  shape: [number, number]; image_url: string; legend_url: string; data_url: string;
}

export interface GridLegend {
  dataset: string; variable: string; units: string; long_name: string; palette: string; kind: "levels" | "ramp";
  log: boolean; min: number; max: number; time: string | null;
  stops: { value: number; color: string; label?: string }[];
}
