import { expect, test, type Browser } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { DEMO_PASSWORD, healthy, hydrated, ownServer, stop, watchConsole } from "./helpers";

// Near me (#31) on a phone: the directory sorted by the browser's position (asked only when
// pressed), the live "only my pack" filter, and what happens without permission. A server of
// its own: the filter's flow takes a demo station's packs out of service.
const PORT = 8007;
const BASE = `http://127.0.0.1:${PORT}`;
const DB = "../target/e2e-near.db";
const SEGWAY = "Segway SwapPack 1.5kWh";
// Beside Harbour Point (52.4950, 13.4400), the demo's south-east station.
const HARBOUR = { latitude: 52.4951, longitude: 13.4399 };
let server: ChildProcess;

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(PORT, DB);
  await healthy(PORT);
});

test.afterAll(async () => {
  await stop(server);
});

const names = (page: import("@playwright/test").Page) => page.locator(".station-card h2 a");

test("use my location sorts the stations nearest first, with distance and an estimated ride", async ({ browser }) => {
  const context = await browser.newContext({ geolocation: HARBOUR, permissions: ["geolocation"] });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(BASE);
  await hydrated(page);
  await expect(names(page).first()).toHaveText("Airport Express");
  await page.getByRole("button", { name: "Use my location" }).click();
  await expect(names(page).first()).toHaveText("Harbour Point");
  await expect(names(page).last()).toHaveText("Airport Express");
  const first = page.locator(".station-card").first();
  await expect(first.locator(".distance")).toHaveText("10 m · about 1 min by scooter");
  await expect(page.locator(".near-note")).toContainText("Nearest first from your location");
  // Directions: the phone's maps app, and a web route planner for browsers without one.
  await expect(first.getByRole("link", { name: "Directions in my maps app" })).toHaveAttribute(
    "href", "geo:52.495,13.44?q=52.495,13.44(Harbour%20Point)");
  await expect(first.getByRole("link", { name: "on the web" })).toHaveAttribute(
    "href", /^https:\/\/www\.openstreetmap\.org\/directions\?to=52\.495%2C13\.44/);
  expect(problems).toEqual([]);
  await context.close();
});

test("without permission the list stays in name order and says why", async ({ browser }) => {
  const context = await browser.newContext({ permissions: [] });
  const page = await context.newPage();
  await page.goto(BASE);
  await hydrated(page);
  await page.getByRole("button", { name: "Use my location" }).click();
  await expect(page.getByRole("alert")).toContainText("Your location is not available");
  await expect(names(page).first()).toHaveText("Airport Express");
  // A place typed instead works with or without JavaScript: a plain GET form.
  await page.getByLabel("Near", { exact: true }).fill("quay road");
  await page.getByRole("button", { name: "Sort by distance" }).click();
  await expect(names(page).first()).toHaveText("Riverside Hub");
  await expect(page.locator(".near-note")).toContainText("Nearest first from Riverside Hub");
  await context.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the form sorts by coordinates, and the locate button is not offered", async ({ page }) => {
    await page.goto(`${BASE}/?near=52.4951%2C13.4399`);
    await expect(names(page).first()).toHaveText("Harbour Point");
    await expect(page.getByRole("button", { name: "Use my location" })).toHaveCount(0);
  });
});

/** An admin's request context. */
async function admin(browser: Browser) {
  const ctx = await browser.newContext();
  const res = await ctx.request.post(`${BASE}/api/login`, { form: { email: "admin@example.com", password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
  return ctx;
}

test("only stations with my pack now: a station whose last one is booked leaves the list at once", async ({ browser }) => {
  // Every available Segway pack but one at one station goes out of service, the others' all.
  const staff = await admin(browser);
  const stations = await (await staff.request.post(`${BASE}/api/list_stations`)).json();
  let keep: { station: string; id: number } | undefined;
  for (const s of stations) {
    const detail = await (await staff.request.post(`${BASE}/api/get_station`, { form: { station_id: String(s.id) } })).json();
    const segways = detail.batteries.filter((b: { model: string; state: string }) => b.model === SEGWAY && b.state === "available");
    for (const [i, b] of segways.entries()) {
      if (!keep && i === 0) {
        keep = { station: s.name, id: s.id };
        continue;
      }
      const res = await staff.request.post(`${BASE}/api/update_battery`, { form: { battery_id: String(b.id), state: "maintenance" } });
      expect(res.status()).toBe(200);
    }
  }
  expect(keep).toBeDefined();

  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${BASE}/login`);
  await hydrated(page);
  await page.getByLabel("Email").fill("rider@example.com");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  expect((await context.request.post(`${BASE}/api/set_pack_model`, { form: { model: SEGWAY } })).status()).toBe(200);
  await page.goto(BASE);
  await hydrated(page);
  await page.getByLabel(`Only stations with my pack (${SEGWAY}) now`).check();
  await expect(names(page)).toHaveText([keep!.station]);

  // Another rider books that last Segway pack: the station leaves the filtered list, live.
  const other = await browser.newContext();
  await other.request.post(`${BASE}/api/login`, { form: { email: "rider2@example.com", password: DEMO_PASSWORD } });
  const booked = await other.request.post(`${BASE}/api/book_battery`, { form: { station_id: String(keep!.id), model: SEGWAY } });
  expect(booked.status()).toBe(200);
  await expect(names(page)).toHaveCount(0);
  await expect(page.getByText("No station matching this holds a charged pack of yours right now.")).toBeVisible();
  // Unticked, every station is back.
  await page.getByLabel(`Only stations with my pack (${SEGWAY}) now`).uncheck();
  await expect(names(page)).toHaveCount(5);
  expect(problems).toEqual([]);
  await context.close();
  await other.close();
  await staff.close();
});

/** Takes every charged pack of `model` at `station` out of service, as an admin. */
async function outOfService(admin: import("@playwright/test").BrowserContext, station: number, model: string) {
  const detail = await (await admin.request.post(`${BASE}/api/get_station`, { form: { station_id: String(station) } })).json();
  for (const b of detail.batteries.filter((b: { model: string; state: string }) => b.model === model && b.state === "available")) {
    const res = await admin.request.post(`${BASE}/api/update_battery`, { form: { battery_id: String(b.id), state: "maintenance" } });
    expect(res.status()).toBe(200);
  }
}

test("a station with none of my pack lists the three nearest that have one, live, each with Book", async ({ browser }) => {
  const TESLA = "Tesla Battery - Model 3";
  const staff = await admin(browser);
  await outOfService(staff, 1, TESLA); // Downtown Station
  // A rider of its own: the demo riders hold bookings from the flows above.
  const context = await browser.newContext();
  const email = `tesla-${Date.now()}@example.com`;
  const reg = await context.request.post(`${BASE}/api/register`, { form: { email, password: "a long enough password" } });
  expect(reg.status()).toBe(200);
  const page = await context.newPage();
  const problems = watchConsole(page);
  expect((await context.request.post(`${BASE}/api/set_pack_model`, { form: { model: TESLA } })).status()).toBe(200);
  await page.goto(`${BASE}/stations/1`);
  await hydrated(page);
  const section = page.getByRole("region", { name: `Nearest with a charged ${TESLA}` });
  const listed = section.locator("li a");
  await expect(listed).toHaveText(["Riverside Hub", "University Campus", "Harbour Point"]);
  await expect(section.locator("li").first().locator(".distance")).toContainText("1.4 km · about 5 min by scooter");

  // Riverside Hub's Teslas go out of service: it leaves the list at once, the next one comes in.
  await outOfService(staff, 2, TESLA);
  await expect(listed).toHaveText(["University Campus", "Harbour Point", "Airport Express"]);

  // Book at the nearest: the booking is made there.
  await section.getByRole("button", { name: "Book at University Campus" }).click();
  await expect(page).toHaveURL(/\/bookings/);
  await expect(page.getByText("University Campus").first()).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
  await staff.close();
});
