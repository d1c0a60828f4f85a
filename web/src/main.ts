// The dashboard shell: hash routing to pages, live updates over server-sent events (no polling).
import "./style.css";

export interface Page {
  /** Renders into `el`; resolves when the page shows its data. */
  render(el: HTMLElement, args: string[]): Promise<void>;
  /** Releases maps and listeners when the page is left. */
  dispose?(): void;
}

type Loader = () => Promise<Page>;

const routes: Record<string, Loader> = {
  map: () => import("./pages/map").then((m) => m.page),
  reef: () => import("./pages/reef").then((m) => m.page),
  profile: () => import("./pages/profile").then((m) => m.page),
  floats: () => import("./pages/float").then((m) => m.listPage),
  float: () => import("./pages/float").then((m) => m.page),
  buoys: () => import("./pages/buoys").then((m) => m.listPage),
  buoy: () => import("./pages/buoys").then((m) => m.page),
  region: () => import("./pages/region").then((m) => m.page),
  anomalies: () => import("./pages/anomalies").then((m) => m.anomaliesPage),
  stats: () => import("./pages/anomalies").then((m) => m.statsPage),
  alerts: () => import("./pages/anomalies").then((m) => m.alertsPage),
  chat: () => import("./pages/chat").then((m) => m.page),
};

const main = document.getElementById("main") as HTMLElement;
let current: Page | undefined;
let generation = 0;

function parse(): { name: string; args: string[] } {
  const h = location.hash.replace(/^#\/?/, "");
  const [name, ...args] = h.split("/").map(decodeURIComponent);
  return { name: name && routes[name] ? name : "map", args };
}

async function show() {
  const gen = ++generation;
  const { name, args } = parse();
  document.body.dataset.ready = "";
  current?.dispose?.();
  current = undefined;
  for (const a of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
    const target = a.getAttribute("href")!.replace(/^#\/?/, "").split("/")[0];
    if (target === name || (name === "profile" && target === "floats") || (name === "float" && target === "floats") || (name === "buoy" && target === "buoys")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  main.innerHTML = `<p class="loading">Loading…</p>`;
  try {
    const page = await routes[name]();
    if (gen !== generation) return;
    current = page;
    main.innerHTML = "";
    await page.render(main, args);
  } catch (e) {
    if (gen !== generation) return;
    main.innerHTML = `<div class="error" role="alert"><h1>Could not load this page</h1><p>${String((e as Error).message ?? e).replace(/</g, "&lt;")}</p></div>`;
  }
  if (gen === generation) {
    document.body.dataset.ready = name;
    performance.mark(`ready:${name}`);
  }
}

window.addEventListener("hashchange", show);
void show();

// Live updates: the server announces ingests; the open page re-renders with the new data.
const live = document.getElementById("live") as HTMLElement;
function connect() {
  const es = new EventSource("/api/events");
  es.addEventListener("ready", () => {
    live.textContent = "live";
    live.className = "live on";
  });
  es.addEventListener("ingest", (ev) => {
    let what = "new data";
    try {
      const d = JSON.parse((ev as MessageEvent).data);
      if (d.series_points) what = `${d.series_points} new observations${d.platforms?.length ? ` (${d.platforms.join(", ")})` : ""}`;
    } catch {
      /* keep the generic text */
    }
    live.textContent = `live · ${what}`;
    void show();
  });
  es.onerror = () => {
    live.textContent = "offline (reconnecting)";
    live.className = "live off";
  };
}
connect();
