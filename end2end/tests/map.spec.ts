import { expect, test, type Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { DEMO_PASSWORD, healthy, hydrated, ownServer, stop, watchConsole } from "./helpers";

// The street map on `/` (#31) on a phone: Leaflet over the configured tiles (`--map-tiles`,
// served here by the test: CI has no internet), markers counting packs live, a marker's card
// with Book, and the markers without any tiles. A server of its own: the flows book packs.
const PORT = 8008;
const BASE = `http://127.0.0.1:${PORT}`;
const DB = "../target/e2e-map.db";
const TILES = "https://tiles.test/{z}/{x}/{y}.png";
// A 1×1 PNG: every tile the map asks for.
const TILE = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const GOGORO = "Gogoro Smartscooter Pack";
let server: ChildProcess;

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(PORT, DB, ["--map-tiles", TILES, "--map-attribution", "Tiles by the test"]);
  await healthy(PORT);
});

test.afterAll(async () => {
  await stop(server);
});

/** Serves the tiles (or fails them all, `offline`); returns how many were asked for. */
async function tiles(page: Page, offline = false) {
  const asked = { count: 0 };
  await page.route("https://tiles.test/**", (route) => {
    asked.count += 1;
    return offline ? route.abort("internetdisconnected") : route.fulfill({ contentType: "image/png", body: TILE });
  });
  return asked;
}

async function mapDrawn(page: Page) {
  await hydrated(page);
  await page.locator("#station-map[data-drawn=yes]").waitFor({ timeout: 15_000 });
}

const pin = (page: Page, station: string) => page.locator(`.map-pin[aria-label^="${station}:"]`);
/** "3 charged packs", as a marker says it. */
const charged = (n: number, model = "") => `${n} charged ${model ? model + " " : ""}pack${n === 1 ? "" : "s"}`;

/** Charged packs at station `id`, of `model` or of any, as the API says. */
async function available(page: Page, id: number, model?: string) {
  const detail = await (await page.request.post(`${BASE}/api/get_station`, { form: { station_id: String(id) } })).json();
  return detail.batteries.filter((b: { model: string; state: string }) =>
    b.state === "available" && (!model || b.model === model)).length;
}

test("the map draws the configured tiles under a marker per station, counting live", async ({ page, browser }) => {
  const asked = await tiles(page);
  const problems = watchConsole(page);
  const res = await page.goto(BASE);
  // The policy admits the tile host, and nothing else new.
  expect(res!.headers()["content-security-policy"]).toContain("img-src 'self' data: https://tiles.test;");
  await mapDrawn(page);
  await expect(page.locator(".map-pin")).toHaveCount(5);
  await expect(page.locator("figure.plan")).toHaveCount(0);
  await expect(page.locator("img.leaflet-tile-loaded").first()).toBeAttached();
  expect(asked.count).toBeGreaterThan(0);
  await expect(page.locator(".leaflet-control-attribution")).toContainText("Tiles by the test");

  // Another rider books at Downtown Station: its marker counts one fewer, at once.
  const before = await available(page, 1);
  await expect(pin(page, "Downtown Station")).toHaveAttribute("aria-label", `Downtown Station: ${charged(before)}`);
  const other = await browser.newContext();
  await other.request.post(`${BASE}/api/login`, { form: { email: "rider2@example.com", password: DEMO_PASSWORD } });
  expect((await other.request.post(`${BASE}/api/book_battery`, { form: { station_id: "1" } })).status()).toBe(200);
  await expect(pin(page, "Downtown Station")).toHaveAttribute("aria-label", `Downtown Station: ${charged(before - 1)}`);
  await expect(pin(page, "Downtown Station")).toHaveText(String(before - 1));
  await other.close();
  expect(problems).toEqual([]);
});

test("a rider's markers count their model; tapping one shows the station with Book", async ({ browser }) => {
  const context = await browser.newContext();
  const email = `map-${Date.now()}@example.com`;
  expect((await context.request.post(`${BASE}/api/register`, { form: { email, password: "a long enough password" } })).status()).toBe(200);
  expect((await context.request.post(`${BASE}/api/set_pack_model`, { form: { model: GOGORO } })).status()).toBe(200);
  const page = await context.newPage();
  await tiles(page);
  const problems = watchConsole(page);
  await page.goto(BASE);
  await mapDrawn(page);
  const mine = await available(page, 2, GOGORO);
  expect(mine).toBeGreaterThan(0);
  const marker = pin(page, "Riverside Hub");
  await expect(marker).toHaveAttribute("aria-label", `Riverside Hub: ${charged(mine, GOGORO)}`);

  await marker.click();
  const card = page.locator(".leaflet-popup .map-card");
  await expect(card.getByRole("heading")).toHaveText("Riverside Hub");
  await expect(card.locator(".map-count")).toHaveText(charged(mine, GOGORO));
  await card.getByRole("button", { name: `Book a ${GOGORO}` }).click();
  await expect(page).toHaveURL(/\/bookings/);
  await expect(page.getByText("Riverside Hub").first()).toBeVisible();
  await expect(page.getByText(GOGORO).first()).toBeVisible();
  expect(await available(page, 2, GOGORO)).toBe(mine - 1);

  // The map shows what the list shows: "only my pack" leaves the markers of the list's stations.
  await page.goto(`${BASE}/?near=52.4951%2C13.4399`);
  await mapDrawn(page);
  await expect(page.locator("path.map-from")).toHaveCount(1);
  await page.getByLabel(`Only stations with my pack (${GOGORO}) now`).check();
  const listed = await page.locator(".station-card").count();
  await expect(page.locator(".map-pin")).toHaveCount(listed);
  expect(problems).toEqual([]);
  await context.close();
});

/** A rider of its own, logged in, in a context of its own. */
async function rider(browser: import("@playwright/test").Browser, tag: string) {
  const context = await browser.newContext();
  const email = `${tag}-${Date.now()}@example.com`;
  expect((await context.request.post(`${BASE}/api/register`, { form: { email, password: "a long enough password" } })).status()).toBe(200);
  return context;
}

test("the list follows the map's view, and its feed only the stations in it", async ({ page, browser }) => {
  await tiles(page);
  const problems = watchConsole(page);
  // Every frame the list's feed receives, parsed.
  const heard: { type: string; station_id?: number; station_ids?: number[] }[] = [];
  page.on("websocket", (ws) => {
    if (ws.url().includes("/ws/watch/")) ws.on("framereceived", (f) => heard.push(JSON.parse(String(f.payload))));
  });
  await page.goto(BASE);
  await mapDrawn(page);
  const box = page.locator("#station-map");
  await expect(page.locator("li.station-card:visible")).toHaveCount(5);
  await expect(page.locator(".map-caption")).toBeHidden();
  await expect.poll(() => heard.some((m) => m.type === "watching" && m.station_ids?.length === 5)).toBe(true);

  // Zoomed in on Downtown Station: one card, the others hidden and said to be; the feed
  // follows it alone.
  await box.evaluate((el) => (el as any).leafletMap.setView([52.52, 13.405], 17));
  await expect(page.locator("li.station-card:visible")).toHaveCount(1);
  await expect(page.locator("li.station-card:visible h2 a")).toHaveText("Downtown Station");
  await expect(page.locator(".map-caption")).toHaveText("1 of 5 stations in the list are in the map's view: move or zoom out for more.");
  await expect(box).toHaveAttribute("data-following", "1");
  await expect.poll(() => heard.findIndex((m) => m.type === "watching" && m.station_ids?.join() === "1")).toBeGreaterThan(-1);
  const since = heard.findIndex((m) => m.type === "watching" && m.station_ids?.join() === "1");

  // A booking at Riverside Hub (out of view), then one at Downtown Station: only the second
  // reaches the page, and its card counts it.
  const card = page.locator('li.station-card[data-station-id="1"] dd.available');
  const before = Number(await card.textContent());
  const away = await rider(browser, "away");
  expect((await away.request.post(`${BASE}/api/book_battery`, { form: { station_id: "2" } })).status()).toBe(200);
  const here = await rider(browser, "here");
  expect((await here.request.post(`${BASE}/api/book_battery`, { form: { station_id: "1" } })).status()).toBe(200);
  await expect(card).toHaveText(String(before - 1));
  const after = heard.slice(since + 1);
  expect(after.some((m) => m.station_id === 1)).toBe(true);
  expect(after.filter((m) => m.station_id === 2)).toEqual([]);

  // Zoomed out again: the whole list, followed.
  await box.evaluate((el) => (el as any).leafletMap.setView([52.5, 13.4], 10));
  await expect(page.locator("li.station-card:visible")).toHaveCount(5);
  await expect(page.locator(".map-caption")).toBeHidden();
  await expect.poll(() => heard.some((m, i) => i > since && m.type === "watching" && m.station_ids?.length === 5)).toBe(true);
  expect(problems).toEqual([]);
  await away.close();
  await here.close();
});

test("without tiles the markers still work", async ({ page }) => {
  const asked = await tiles(page, true);
  await page.goto(BASE);
  await mapDrawn(page);
  await expect(page.locator(".map-pin")).toHaveCount(5);
  await expect.poll(() => asked.count).toBeGreaterThan(0);
  await expect(page.locator("img.leaflet-tile-loaded")).toHaveCount(0);
  await pin(page, "Harbour Point").click();
  const card = page.locator(".leaflet-popup .map-card");
  await expect(card.getByRole("heading")).toHaveText("Harbour Point");
  // Signed out: the card asks to log in, coming back here.
  await expect(card.getByRole("link", { name: "Log in" })).toHaveAttribute("href", "/login?next=%2F");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the plan view stays in the map's place", async ({ page }) => {
    await page.goto(BASE);
    await expect(page.locator("#station-map figure.plan")).toBeVisible();
    await expect(page.locator("#station-map figure.plan a")).toHaveCount(5);
  });
});
