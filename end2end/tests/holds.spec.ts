import { expect, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { healthy, hydrated, ownServer, stop } from "./helpers";

// A server of its own with one-minute holds swept every second: the reminder (asked for a
// minute ahead, at most half the hold is used) comes at half time (30 s left) and the expiry a
// minute after booking. A reminder longer than the hold is refused at start.
const PORT = 8004;
const BASE = `http://127.0.0.1:${PORT}`;
const DB = "../target/e2e-holds.db";
let server: ChildProcess;

test.beforeAll(async () => {
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(PORT, DB, ["--hold-minutes", "1", "--hold-reminder-minutes", "1", "--sweep-seconds", "1"]);
  await healthy(PORT);
});

test.afterAll(async () => {
  await stop(server);
});

const seconds = (text: string | null) => {
  const m = /^(\d+):(\d\d) left to collect$/.exec(text ?? "");
  expect(m, `a countdown, got ${text}`).not.toBeNull();
  return Number(m![1]) * 60 + Number(m![2]);
};

test("a hold ticks down, reminds its rider and expires live on their page", async ({ page }) => {
  test.setTimeout(120_000);
  const email = `holder-${Date.now()}@example.com`;
  const reg = await page.request.post(`${BASE}/api/register`, { form: { email, password: "a long enough password", display_name: "Holder" } });
  expect(reg.status()).toBe(200);
  const booked = await page.request.post(`${BASE}/api/book_battery`, { form: { station_id: "1" } });
  expect(booked.status()).toBe(200);
  const booking = await booked.json();

  await page.goto(`${BASE}/bookings`);
  await hydrated(page);
  const card = page.locator(`[data-booking-id="${booking.id}"]`);
  const countdown = card.locator(".countdown");
  await expect(countdown).toHaveText(/^(1:00|0:\d\d) left to collect$/);
  const first = seconds(await countdown.textContent());
  await expect(countdown).not.toHaveText(await countdown.textContent() ?? "");
  expect(seconds(await countdown.textContent())).toBeLessThan(first);

  // At half time the reminder arrives through the feed: the badge counts it, the list shows it.
  const badge = page.locator("header .unread-count");
  await expect(badge).toHaveText("1");
  await expect(badge).toHaveText("2", { timeout: 45_000 });
  const inbox = await page.context().newPage();
  await inbox.goto(`${BASE}/notifications`);
  await expect(inbox.locator(".notification", { hasText: "Your hold ends soon" })).toContainText("held for 1 more minute");

  // And the expiry, live on the open page.
  await expect(card.getByText("Expired")).toBeVisible({ timeout: 60_000 });
  await expect(card.locator(".countdown")).toHaveCount(0);
});
