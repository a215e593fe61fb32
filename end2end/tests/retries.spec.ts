import { expect, test, type BrowserContext, type Page, type Route } from "@playwright/test";
import { hydrated } from "./helpers";

// A booking or a cancel whose answer is lost on the way back (a dropped connection, a proxy's
// 502 while an instance restarts): the page sends the same request again under the same
// idempotency key and shows what the server did, never a refusal of the rider's own change.

let n = 0;
async function newRider(context: BrowserContext) {
  const email = `retry-${Date.now()}-${n++}@example.com`;
  const res = await context.request.post("/api/register", { form: { email, password: "a long enough password", display_name: "Retrying Rider" } });
  expect(res.status()).toBe(200);
}

/** Lets the first request to `path` reach the server, then loses its answer; keeps the key of
 * every attempt. */
async function loseFirstAnswer(page: Page, path: string): Promise<string[]> {
  const keys: string[] = [];
  await page.route(`**${path}`, async (route: Route) => {
    keys.push(new URLSearchParams(route.request().postData() ?? "").get("idempotency_key") ?? "");
    if (keys.length === 1) {
      await route.fetch(); // the server makes the change...
      await route.abort("connectionreset"); // ...and its answer never arrives
    } else {
      await route.continue();
    }
  });
  return keys;
}

async function activeBookings(context: BrowserContext): Promise<number> {
  const mine = await (await context.request.post("/api/my_bookings")).json();
  return mine.filter((b: { status: string }) => b.status === "confirmed" || b.status === "ready").length;
}

test("a booking whose answer was lost is sent again and shows the booking made", async ({ context, page }) => {
  await newRider(context);
  await page.goto("/stations/3");
  await hydrated(page);
  const keys = await loseFirstAnswer(page, "/api/book_battery");
  await page.getByRole("button", { name: "Book" }).click();
  await expect(page).toHaveURL(/\/bookings$/);
  await expect(page.locator(".booking-confirmed .code strong")).toHaveText(/^[A-Z2-9]{6}$/);
  expect(keys.length).toBe(2);
  expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
  expect(keys[1]).toBe(keys[0]);
  expect(await activeBookings(context)).toBe(1);
});

test("a cancel whose answer was lost is sent again and shows the booking cancelled", async ({ context, page }) => {
  await newRider(context);
  const booked = await context.request.post("/api/book_battery", { form: { station_id: "3" } });
  expect(booked.status()).toBe(200);
  const booking = await booked.json();
  await page.goto("/bookings");
  await hydrated(page);
  const keys = await loseFirstAnswer(page, "/api/cancel_booking");
  const card = page.locator(`[data-booking-id="${booking.id}"]`);
  await card.getByText("Cancel booking…").click();
  await card.getByRole("button", { name: "Yes, cancel booking" }).click();
  await expect(page.locator(`[data-booking-id="${booking.id}"]`).getByText("Cancelled")).toBeVisible();
  // The page may hear of the cancel (its feed) before the answer to the retry comes back.
  await expect.poll(() => keys.length).toBe(2);
  expect(keys[1]).toBe(keys[0]);
  await expect(page.locator(".form-error")).toHaveCount(0);
  expect(await activeBookings(context)).toBe(0);
});
