// Small SVG charts (scatter/line with optional inverted y), for profiles, T–S diagrams and histograms.

export interface XYSeries {
  label: string;
  x: number[];
  y: number[];
  /** One colour per point, or one for all. */
  color: string | string[];
  line?: boolean;
  radius?: number;
  /** Extra attribute on each point (e.g. data-qc). */
  pointData?: (i: number) => string;
}

export interface PlotOpts {
  title: string;
  xLabel: string;
  yLabel: string;
  invertY?: boolean;
  width?: number;
  height?: number;
}

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function extent(vals: number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of vals) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

export function scatter(series: XYSeries[], o: PlotOpts): string {
  const W = o.width ?? 360, H = o.height ?? 420, L = 56, R = 12, T = 28, B = 44;
  const [x0, x1] = extent(series.flatMap((s) => s.x));
  const [y0, y1] = extent(series.flatMap((s) => s.y));
  const sx = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const sy = (v: number) => (o.invertY ? T + ((v - y0) / (y1 - y0)) * (H - T - B) : H - B - ((v - y0) / (y1 - y0)) * (H - T - B));
  let g = "";
  for (const t of ticks(x0, x1)) g += `<line x1="${sx(t)}" x2="${sx(t)}" y1="${T}" y2="${H - B}" class="grid"/><text x="${sx(t)}" y="${H - B + 16}" text-anchor="middle">${t}</text>`;
  for (const t of ticks(y0, y1)) g += `<line x1="${L}" x2="${W - R}" y1="${sy(t)}" y2="${sy(t)}" class="grid"/><text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text>`;
  let body = "";
  for (const s of series) {
    const pts: string[] = [];
    let dots = "";
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) continue;
      const X = sx(s.x[i]).toFixed(1), Y = sy(s.y[i]).toFixed(1);
      pts.push(`${X},${Y}`);
      const c = Array.isArray(s.color) ? s.color[i] : s.color;
      dots += `<circle cx="${X}" cy="${Y}" r="${s.radius ?? 2.5}" fill="${c}" ${s.pointData ? s.pointData(i) : ""}/>`;
    }
    const stroke = Array.isArray(s.color) ? "#6b7785" : s.color;
    body += `<g class="series" data-label="${s.label}" data-points="${pts.length}">${s.line && pts.length > 1 ? `<polyline fill="none" stroke="${stroke}" stroke-width="1" points="${pts.join(" ")}"/>` : ""}${dots}</g>`;
  }
  return `<svg class="plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.title}"><title>${o.title}</title>${g}
<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" class="frame"/>${body}
<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" class="axis-label">${o.xLabel}</text>
<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${o.yLabel}</text>
<text x="${L}" y="18" class="plot-title">${o.title}</text></svg>`;
}

export function histogram(values: number[], o: PlotOpts & { bins?: number }): string {
  const v = values.filter(Number.isFinite);
  const W = o.width ?? 420, H = o.height ?? 220, L = 48, R = 10, T = 24, B = 40;
  if (!v.length) return `<p>No values to plot.</p>`;
  const lo = Math.min(...v), hi = Math.max(...v);
  const n = o.bins ?? 20;
  const w = hi > lo ? (hi - lo) / n : 1;
  const counts = new Array(n).fill(0);
  for (const x of v) counts[Math.min(n - 1, Math.floor((x - lo) / w))]++;
  const cmax = Math.max(...counts);
  const bw = (W - L - R) / n;
  let bars = "";
  counts.forEach((c, i) => {
    const h = (c / cmax) * (H - T - B);
    bars += `<rect x="${(L + i * bw).toFixed(1)}" y="${(H - B - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#2b6cb0"><title>${(lo + i * w).toFixed(2)}–${(lo + (i + 1) * w).toFixed(2)}: ${c}</title></rect>`;
  });
  let g = "";
  for (const t of ticks(lo, hi)) g += `<text x="${L + ((t - lo) / (hi - lo || 1)) * (W - L - R)}" y="${H - B + 16}" text-anchor="middle">${t}</text>`;
  for (const t of ticks(0, cmax, 4)) g += `<text x="${L - 6}" y="${H - B - (t / cmax) * (H - T - B) + 4}" text-anchor="end">${t}</text>`;
  return `<svg class="plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.title}"><title>${o.title}</title>${g}${bars}
<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" class="axis-label">${o.xLabel}</text>
<text transform="translate(12 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${o.yLabel}</text>
<text x="${L}" y="16" class="plot-title">${o.title}</text></svg>`;
}

/** Blue→red ramp for t in [0, 1]. */
export function ramp(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const stops = [[49, 54, 149], [69, 117, 180], [171, 217, 233], [254, 224, 144], [244, 109, 67], [165, 0, 38]];
  const p = c * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(p)), f = p - i;
  const m = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
  return `rgb(${m[0]},${m[1]},${m[2]})`;
}

/** Argo QC flag colours: 1 good, 2 probably good, 3 probably bad, 4 bad, others grey. */
export function qcColor(q: number | null | undefined): string {
  return ({ 1: "#1a7f37", 2: "#2b6cb0", 3: "#c05621", 4: "#c53030", 8: "#6b46c1" } as Record<number, string>)[q ?? -1] ?? "#718096";
}
