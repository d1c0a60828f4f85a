// NOAA Coral Reef Watch Bleaching Alert Area levels (7-day maximum) and their legend colours.
// Colours: see web/SOURCES.md.

export const BAA_LEVELS = [
  { level: 0, name: "No Stress", color: "#C6E5FA" },
  { level: 1, name: "Bleaching Watch", color: "#FFF200" },
  { level: 2, name: "Bleaching Warning", color: "#F8AB00" },
  { level: 3, name: "Alert Level 1", color: "#EF0000" },
  { level: 4, name: "Alert Level 2", color: "#940000" },
  { level: 5, name: "Alert Level 3", color: "#6B0000" },
  { level: 6, name: "Alert Level 4", color: "#4A0030" },
  { level: 7, name: "Alert Level 5", color: "#2E0045" },
];

export const NO_DATA_COLOR = "#9aa5ad";

export function baaName(level: number | null | undefined): string {
  return level === null || level === undefined ? "no data" : BAA_LEVELS[level]?.name ?? `level ${level}`;
}

export function baaColor(level: number | null | undefined): string {
  return level === null || level === undefined ? NO_DATA_COLOR : BAA_LEVELS[level]?.color ?? NO_DATA_COLOR;
}

export function legendHtml(): string {
  return `<ul class="legend" aria-label="Bleaching Alert Area legend">${BAA_LEVELS.map(
    (l) => `<li><span class="swatch" style="background:${l.color}"></span>${l.name}</li>`,
  ).join("")}</ul>`;
}
