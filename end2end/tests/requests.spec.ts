import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, hydrated, watchConsole } from "./helpers";

// A watching page applies what the feed carries and refetches only what it does not, at most
// once a second: 20 bookings (each booked and cancelled again) cost it a handful of requests,
// not one or two per event.
test("a watching station page stays live through 20 bookings with a handful of requests", async ({ browser, request }) => {
  const watcher = await browser.newContext();
  const page = await watcher.newPage();
  const problems = watchConsole(page);
  let fetches = 0;
  page.on("request", (r) => {
    if (r.url().includes("/api/")) fetches++;
  });
  await page.goto("/stations/3");
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const available = page.locator("dd.available").first();
  const before = Number(await available.textContent());
  fetches = 0;

  const login = await request.post("/api/login", { form: { email: "rider2@example.com", password: DEMO_PASSWORD } });
  expect(login.status()).toBe(200);
  for (let i = 0; i < 20; i++) {
    const booked = await request.post("/api/book_battery", { form: { station_id: "3" } });
    expect(booked.status()).toBe(200);
    const id = String((await booked.json()).id);
    // The page follows each booking live, from the message alone.
    await expect(available).toHaveText(String(before - 1));
    await expect(page.locator("td.state-booked")).toHaveCount(1);
    const cancelled = await request.post("/api/cancel_booking", { form: { booking_id: id } });
    expect(cancelled.status()).toBe(200);
    await expect(available).toHaveText(String(before));
  }
  // The last cancel freed a pack the messages do not name: one coalesced refetch shows it.
  await expect(page.locator("td.state-booked")).toHaveCount(0);
  console.log(`the watching page made ${fetches} API requests across 20 bookings`);
  expect(fetches, "API requests of the watching page").toBeLessThanOrEqual(8);
  expect(problems).toEqual([]);
  await watcher.close();
});
