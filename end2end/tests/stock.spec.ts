import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { DEMO_PASSWORD, healthy, hydrated, ownServer, stop, watchConsole } from "./helpers";

// A server of its own: this flow drains a demo station, which the shared server's other flows
// book from. The threshold is the default, 2.
const PORT = 8005;
const BASE = `http://127.0.0.1:${PORT}`;
const DB = "../target/e2e-stock.db";
let server: ChildProcess;

test.beforeAll(async () => {
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(PORT, DB);
  await healthy(PORT);
});

test.afterAll(async () => {
  await stop(server);
});

let n = 0;
/** A new rider who books a pack at station 1; returns their context and the booking. */
async function riderBooks(browser: Browser): Promise<{ ctx: BrowserContext; id: number }> {
  const ctx = await browser.newContext();
  const email = `stock-${Date.now()}-${n++}@example.com`;
  const reg = await ctx.request.post(`${BASE}/api/register`, { form: { email, password: "a long enough password" } });
  expect(reg.status()).toBe(200);
  const booked = await ctx.request.post(`${BASE}/api/book_battery`, { form: { station_id: "1" } });
  expect(booked.status()).toBe(200);
  return { ctx, id: (await booked.json()).id };
}

async function staffConsole(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${BASE}/login`);
  await hydrated(page);
  await page.getByLabel("Email").fill("staff@example.com");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  await page.goto(`${BASE}/console/1`);
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  return page;
}

test("riders booking a station down to the threshold raise the console's low-stock banner live, once", async ({ browser }) => {
  const staff = await staffConsole(browser);
  const problems = watchConsole(staff);
  const banner = staff.locator(".stock-alert");
  const unread = staff.locator("header .unread-count");
  await expect(banner).toHaveCount(0);
  const available = Number(await staff.locator("dd.available").textContent());
  expect(available).toBeGreaterThan(2);

  const bookings = [];
  for (let left = available; left > 2; left--) bookings.push(await riderBooks(browser));
  await expect(banner).toHaveText("Low stock: 2 packs left. Bring charged packs.");
  await expect(unread).toHaveText("1");
  // Below the threshold: the banner follows the count, no second notification.
  bookings.push(await riderBooks(browser));
  await expect(banner).toHaveText("Low stock: 1 pack left. Bring charged packs.");
  await expect(staff.locator("dd.available")).toHaveText("1");
  await expect(unread).toHaveText("1");

  // A console opened now starts from the server's state.
  const fresh = await staffConsole(browser);
  await expect(fresh.locator(".stock-alert")).toBeVisible();

  // Two cancels bring it back above the threshold: the banner goes, one more notification.
  for (const b of bookings.splice(-2)) {
    const res = await b.ctx.request.post(`${BASE}/api/cancel_booking`, { form: { booking_id: String(b.id) } });
    expect(res.status()).toBe(200);
  }
  await expect(banner).toHaveCount(0);
  await expect(fresh.locator(".stock-alert")).toHaveCount(0);
  await expect(unread).toHaveText("2");
  const inbox = await staff.context().newPage();
  await inbox.goto(`${BASE}/notifications`);
  await expect(inbox.locator(".notification", { hasText: "Low stock at Downtown Station: 2 packs left" })).toBeVisible();
  await expect(inbox.locator(".notification", { hasText: "Downtown Station restocked: 3 packs available" })).toBeVisible();
  expect(problems).toEqual([]);
});
