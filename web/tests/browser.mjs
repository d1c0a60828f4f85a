// Browser tests of the dashboard in headless Chromium (Debian's /usr/bin/chromium via playwright-core,
// no browser download): every page loads without console errors and passes axe-core with no serious
// violations; the reef, profile, map and chat pages show the stored values; budgets are measured.
// Usage: node tests/browser.mjs http://127.0.0.1:PORT [artifact dir]
import { chromium } from "playwright-core";
import { readFileSync, readdirSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const base = process.argv[2];
const artifacts = process.argv[3] ?? join(here, "..", "test-artifacts");
if (!base) { console.error("usage: node tests/browser.mjs BASE_URL [ARTIFACT_DIR]"); process.exit(2); }
mkdirSync(artifacts, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// Endpoints another issue provides: a 404 from them is expected, not a page error.
const OPTIONAL = ["/api/alerts", "/api/chat"];
let passed = 0, failed = 0, skipped = 0;
const ok = (name, cond, detail = "") => {
  if (cond) { passed++; console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`); }
  else { failed++; console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`); }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});

async function open(route, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = m.location()?.url ?? "";
    if (OPTIONAL.some((p) => url.includes(p)) && /404|405/.test(m.text())) return;
    errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/#/${route}`);
  const name = route.split("/")[0] || "map";
  await page.waitForSelector(`body[data-ready="${name}"]`, { timeout: 20000 });
  if (name === "map") await page.waitForSelector('.map-page[data-map="drawn"][data-buoys]', { timeout: 20000 });
  return { page, context, errors };
}

async function axe(page) {
  // Evaluated through the DevTools protocol: the dashboard's CSP (script-src 'self') blocks inline
  // script tags, which is what it is for.
  await page.evaluate(axeSource);
  const r = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

const api = async (path) => (await fetch(base + path)).json();

// 1. Every page: loads, no console error, no serious axe violation, screenshots at desktop and phone.
const pages = ["map", "reef/florida_keys", "profile/6902746_034", "floats", "float/6902746", "buoys", "buoy/44005", "region", "anomalies", "stats", "alerts", "chat"];
for (const route of pages) {
  const slug = route.replace(/\//g, "_");
  const { page, context, errors } = await open(route);
  const bad = await axe(page);
  ok(`page ${route} loads without console errors`, errors.length === 0, errors.join(" | "));
  ok(`page ${route} has no serious axe violations`, bad.length === 0, bad.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`).join("; "));
  await page.screenshot({ path: join(artifacts, `${slug}-desktop.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(artifacts, `${slug}-phone.png`), fullPage: false });
  await context.close();
}

// 2. Budget: first page ready (fresh browser context, no cache) on loopback.
{
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${base}/#/map`);
  await page.waitForSelector('body[data-ready="map"]', { timeout: 20000 });
  const ms = await page.evaluate(() => performance.getEntriesByName("ready:map")[0].startTime);
  // Reported, not asserted: a shared CI machine's load must not fail the build (speed goals are measured).
  console.log(`budget first page (map: legend, reef statuses, links) ready: ${ms.toFixed(0)} ms after navigation start (goal <= 1000 ms: ${ms <= 1000 ? "met" : "NOT met"})`);
  await page.waitForSelector('.map-page[data-map="drawn"]', { timeout: 20000 });
  const drawn = await page.evaluate(() => performance.getEntriesByName("map:drawn")[0].startTime);
  console.log(`budget first WebGL map frame with reefs and floats: ${drawn.toFixed(0)} ms (software GL, not budgeted)`);
  await context.close();
}

// 3. Budget: JavaScript shipped, gzipped.
{
  const dist = join(here, "..", "dist", "assets");
  const js = readdirSync(dist).filter((f) => f.endsWith(".js"));
  const gz = js.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
  ok("budget: JavaScript <= 600 KB gzipped", gz <= 600 * 1024, `${(gz / 1024).toFixed(1)} KB in ${js.length} files`);
}

// 4. Florida Keys station: the stored BAA level and DHW, latest and on a chosen date.
{
  const stored = await api("/api/reefs/florida_keys/heatstress?startDate=2024-07-20&endDate=2024-07-21");
  const day = stored.data[0];
  const status = (await api("/api/reefs/status")).find((s) => s.site === "florida_keys");
  const { page, context } = await open("reef/florida_keys");
  const card = page.locator("section.status");
  ok("reef: status card date is the newest stored day", (await card.getAttribute("data-date")) === status.latest.date, status.latest.date);
  ok("reef: status card BAA = stored 3 (Alert Level 1)", (await card.getAttribute("data-baa")) === "3" && (await card.innerText()).includes("Alert Level 1"));
  ok("reef: status card DHW = stored 6.27", (await card.getAttribute("data-dhw")) === String(status.latest.dhw) && (await card.innerText()).includes("6.27"), String(status.latest.dhw));
  await page.fill("#day-input", "2024-07-20");
  await page.dispatchEvent("#day-input", "change");
  await page.waitForSelector('#day-out dl[data-date="2024-07-20"]');
  const out = page.locator("#day-out dl");
  const text = await out.innerText();
  ok("reef: 2024-07-20 shows stored BAA 2 (Bleaching Warning)", day.baa_7day_max === 2 && (await out.getAttribute("data-baa")) === "2" && text.includes("Bleaching Warning"));
  ok("reef: 2024-07-20 shows stored DHW 3.0743", day.dhw === 3.0743 && text.includes("3.0743"), text.replace(/\s+/g, " "));
  const stripDays = Number(await page.locator("#strip").getAttribute("data-days"));
  ok("reef: BAA strip has a cell per stored day of 2024", stripDays === (await api("/api/reefs/florida_keys/heatstress?startDate=2024-01-01&endDate=2025-01-01")).count, `${stripDays} days`);
  await context.close();
}

// 5. Profile 6902746_034 draws 109 levels.
{
  const { page, context } = await open("profile/6902746_034");
  const levels = await page.locator(".profile-page").getAttribute("data-levels");
  const tPoints = await page.locator('svg[aria-label^="Temperature"] g.series[data-label="best"] circle').count();
  const sPoints = await page.locator('svg[aria-label^="Salinity"] g.series[data-label="best"] circle').count();
  ok("profile 6902746_034 draws 109 levels", levels === "109" && tPoints === 109 && sPoints === 109, `levels ${levels}, T points ${tPoints}, S points ${sPoints}`);
  await context.close();
}

// 6. The map shows every demo reef site with its level colour (list and rendered map features).
{
  const reefs = await api("/api/reefs/status");
  const colors = { 0: "#C6E5FA", 1: "#FFF200", 2: "#F8AB00", 3: "#EF0000", 4: "#940000", 5: "#6B0000", 6: "#4A0030", 7: "#2E0045" };
  const { page, context } = await open("map");
  const rendered = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ["reefs"] }).map((f) => ({ id: f.properties.id, color: f.layer.paint["circle-color"] })));
  for (const r of reefs) {
    const want = colors[r.latest?.baa_7day_max];
    const li = page.locator(`li[data-site="${r.site}"]`);
    const f = rendered.find((x) => x.id === r.site);
    const rgba = f?.color;
    const hex = rgba && typeof rgba === "object" ? "#" + [rgba.r, rgba.g, rgba.b].map((c) => Math.round(c * 255).toString(16).padStart(2, "0")).join("").toUpperCase() : String(rgba);
    ok(`map: reef ${r.site} drawn in its BAA colour`, (await li.getAttribute("data-color")) === want && hex === want, `level ${r.latest?.baa_7day_max}, list ${await li.getAttribute("data-color")}, map ${hex}`);
  }
  ok("map: every reef site is on the map", reefs.every((r) => rendered.some((x) => x.id === r.site)), `${reefs.length} sites`);
  await context.close();
}

// 7. Chat: an interpretation for a question (skipped, visibly, when /api/chat is absent).
{
  const probe = await fetch(`${base}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "ping" }) });
  const { page, context, errors } = await open("chat");
  await page.fill("#q", "What is the bleaching alert level in the Florida Keys?");
  await page.click("#chat-form button[type=submit]");
  if (probe.status === 404 || probe.status === 405) {
    await page.waitForSelector('[data-chat="absent"]');
    skipped++;
    console.log("SKIP chat interpretation: POST /api/chat is not on this server (the panel shows its 'not available' message)");
  } else {
    await page.waitForSelector('[data-interpretation="yes"], #interp [role="alert"]', { timeout: 20000 });
    ok("chat: the panel shows an interpretation", (await page.locator('[data-interpretation="yes"]').count()) === 1, (await page.locator("#interp").innerText()).replace(/\s+/g, " ").slice(0, 200));
  }
  ok("chat: no console errors after asking", errors.length === 0, errors.join(" | "));
  await page.screenshot({ path: join(artifacts, "chat_asked-desktop.png") });
  await context.close();
}

// 8. Live updates: an ingest through the API is pushed to an open page over /api/events (no polling).
{
  const { page, context } = await open("buoys");
  await page.waitForFunction(() => document.getElementById("live").textContent === "live");
  const r = await fetch(`${base}/api/observations/ingest/`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer browser-test-key" },
    body: JSON.stringify([{ location_id: "BRWSR", timestamp: "2024-01-01T00:00:00Z", value: 21.5, variable: "sea_surface_temperature" }]),
  });
  await page.waitForFunction(() => document.getElementById("live").textContent.includes("1 new observations (BRWSR)"), null, { timeout: 10000 }).catch(() => {});
  const live = await page.locator("#live").innerText();
  await page.waitForSelector('article[data-station="BRWSR"]', { timeout: 10000 }).catch(() => {});
  const card = await page.locator('article[data-station="BRWSR"]').count();
  ok("live: an API ingest reaches the open page over SSE and the page shows it", r.ok && live.includes("BRWSR") && card === 1, `status line "${live}", new card ${card}`);
  await context.close();
}

await browser.close();
console.log(`screenshots: ${artifacts}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
