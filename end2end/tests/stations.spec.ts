import { expect, test, type Browser, type BrowserContext } from "@playwright/test";
import { DEMO_PASSWORD, hydrated } from "./helpers";

async function asAdmin(browser: Browser): Promise<BrowserContext> {
  const admin = await browser.newContext();
  const login = await admin.request.post("/api/login", { form: { email: "admin@example.com", password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  return admin;
}

test("search narrows the list as you type, and works as a plain form without JavaScript", async ({ page, browser }) => {
  await page.goto("/");
  await hydrated(page);
  expect(await page.locator(".station-card").count()).toBeGreaterThanOrEqual(5);
  await page.getByLabel("Search by name").fill("river");
  await expect(page.locator(".station-card")).toHaveCount(1);
  await expect(page.locator(".station-card h2")).toContainText("Riverside Hub");
  await page.getByLabel("Search by name").fill("nowhere");
  await expect(page.getByText("No station matches “nowhere”.")).toBeVisible();

  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p = await plain.newPage();
  await p.goto("/?q=Down");
  await expect(p.locator(".station-card")).toHaveCount(1);
  await expect(p.locator(".station-card h2")).toContainText("Downtown Station");
  await plain.close();
});

test("without JavaScript, the plan view: numbered markers that never overlap, readable on a phone, links by keyboard", async ({ browser }) => {
  // With JavaScript the street map takes its place (map.spec.ts).
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.locator('.plan svg[role="img"]')).toHaveCount(0);
  const markers = page.locator(".plan a");
  const stations = await page.locator(".station-card").count();
  expect(stations).toBeGreaterThanOrEqual(5);
  await expect(markers).toHaveCount(stations);
  const boxes = [];
  for (let i = 0; i < stations; i++) boxes.push((await markers.nth(i).locator("circle").boundingBox())!);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      const dx = a.x + a.width / 2 - (b.x + b.width / 2), dy = a.y + a.height / 2 - (b.y + b.height / 2);
      expect(apart || Math.hypot(dx, dy) >= a.width, `markers ${i + 1} and ${j + 1} overlap`).toBe(true);
    }
  }
  // Numbers of at least 12 px on a phone, matching the list's numbers.
  const px = await markers.first().locator("text").evaluate((t) => t.getBoundingClientRect().height);
  expect(px).toBeGreaterThanOrEqual(12);
  const label = (await markers.first().getAttribute("aria-label"))!;
  expect(label).toMatch(/^1\. .+: \d+ available, online$/);
  const firstCard = page.locator(".station-card").first();
  await expect(firstCard.locator(".plan-number")).toHaveText("1");
  await expect(firstCard.locator("h2 a")).toHaveText(label.replace(/^1\. /, "").replace(/: .*$/, ""));

  // Keyboard: from the form's last control, Tab reaches the first marker; Enter opens its station.
  await page.getByRole("button", { name: "Sort by distance" }).focus();
  await page.keyboard.press("Tab");
  await expect(markers.first()).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/stations\/\d+$/);
  await context.close();
});

test("stations an admin creates, renames, closes and reopens change every open list live", async ({ browser, page }) => {
  const admin = await asAdmin(browser);
  await page.goto("/");
  await hydrated(page);
  await expect(page.locator(".live")).toHaveText("● Live");

  const name = `Canal Yard ${Date.now()}`;
  const created = await admin.request.post("/api/create_station", { form: { name, address: "2 Lock Street", latitude: "52.505", longitude: "13.36" } });
  expect(created.status()).toBe(200);
  const id = (await created.json()).id;
  const card = page.locator(`.station-card[data-station-id="${id}"]`);
  await expect(card.getByRole("link", { name })).toBeVisible();
  await expect(card.locator(".address")).toHaveText("2 Lock Street");
  // The street map follows the list: a marker for the new station, gone when it closes.
  const marker = page.locator(`.map-pin[aria-label^="${name}:"]`);
  await expect(marker).toHaveCount(1);

  const renamed = await admin.request.post("/api/update_station", { form: { station_id: String(id), name: `${name} North`, address: "3 Lock Street", latitude: "52.51", longitude: "13.37" } });
  expect(renamed.status()).toBe(200);
  await expect(card.getByRole("link", { name: `${name} North` })).toBeVisible();
  await expect(card.locator(".address")).toHaveText("3 Lock Street");

  // Closed from the admin page: it leaves the watching list.
  const console = await admin.newPage();
  await console.goto("/admin");
  await hydrated(console);
  const editor = console.locator(".station-editor", { hasText: `${name} North` });
  await editor.locator("summary").first().click();
  await editor.getByText("Close station…").click();
  await editor.getByRole("button", { name: `Yes, close ${name} North` }).click();
  await expect(card).toHaveCount(0);
  await expect(page.locator(`.map-pin[aria-label^="${name} North:"]`)).toHaveCount(0);
  expect((await page.request.post("/api/get_station", { form: { station_id: String(id) } })).status()).toBe(404);

  // Reopened: back on the list, offline until someone puts it online.
  await console.getByRole("button", { name: `Reopen ${name} North` }).click();
  await expect(card.locator(".badge")).toHaveText("offline");

  const closed = await admin.request.post("/api/close_station", { form: { station_id: String(id) } });
  expect(closed.status()).toBe(200);
  await expect(card).toHaveCount(0);
  await admin.close();
});

test("counts are announced politely, and at once when booking becomes unavailable", async ({ browser, page }) => {
  const admin = await asAdmin(browser);
  await page.goto("/stations/5");
  await hydrated(page);
  await expect(page.locator(".live")).toHaveText("● Live");
  const region = page.locator("p.visually-hidden[role=status]");
  await expect(region).toHaveText("");
  const set = (status: string) => admin.request.post("/api/set_station_status", { form: { station_id: "5", status } });
  expect((await set("maintenance")).status()).toBe(200);
  await expect(region).toHaveText("The station is maintenance: booking is unavailable.");
  expect((await set("online")).status()).toBe(200);
  await expect(region).toHaveText(/^\d+ batter(y|ies) available\.$/, { timeout: 15_000 });
  await admin.close();
});

test("when to come: the last day's chart, in words and as a table, extended live", async ({ browser, page }) => {
  await page.goto("/stations/3");
  await hydrated(page);
  await expect(page.locator(".live")).toHaveText("● Live");
  const chart = page.locator("figure.history");
  await expect(chart.locator("figcaption")).toContainText("Available packs over the last 24 hours:");
  const line = chart.locator("path.actual");
  const before = await line.getAttribute("d");
  expect(before).toMatch(/^M\d/);
  await chart.getByText("As a table").click();
  await expect(chart.locator(".history-table tbody tr")).toHaveCount(24);

  // Someone books there: the line gets a step without a reload.
  const booker = await browser.newContext();
  const email = `chart-${Date.now()}@example.com`;
  expect((await booker.request.post("/api/register", { form: { email, password: "a long enough password", display_name: "C" } })).status()).toBe(200);
  expect((await booker.request.post("/api/book_battery", { form: { station_id: "3" } })).status()).toBe(200);
  await expect(line).not.toHaveAttribute("d", before!);
  await booker.close();

  // And without JavaScript the chart and its words are there.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p = await plain.newPage();
  await p.goto("/stations/3");
  await expect(p.locator("figure.history path.actual")).toHaveAttribute("d", /^M\d/);
  await expect(p.locator("figure.history figcaption")).toContainText(/\d+ now/);
  await plain.close();
});
