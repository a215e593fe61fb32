import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { hydrated, watchConsole } from "./helpers";

let n = 0;
/** Registers a fresh rider in `context` (its cookie jar) and returns the email. */
async function newRider(context: BrowserContext): Promise<string> {
  const email = `rider-${Date.now()}-${n++}@example.com`;
  const res = await context.request.post("/api/register", { form: { email, password: "a long enough password", display_name: "Test Rider" } });
  expect(res.status()).toBe(200);
  return email;
}

async function availableAt(page: Page): Promise<number> {
  return Number(await page.locator("dd.available").first().textContent());
}

async function openLive(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
}

test("a watcher sees the count drop when another rider books, without reloading", async ({ browser }) => {
  const watcher = await browser.newContext();
  const booker = await browser.newContext();
  const a = await watcher.newPage();
  const problems = watchConsole(a);
  await openLive(a, "/stations/2");
  const before = await availableAt(a);
  expect(before).toBeGreaterThan(0);

  await newRider(booker);
  const b = await booker.newPage();
  await openLive(b, "/stations/2");
  await b.getByRole("button", { name: "Book" }).click();
  await expect(b).toHaveURL(/\/bookings$/);
  await expect(b.locator(".booking-confirmed .code strong")).toHaveText(/^[A-Z2-9]{6}$/);

  await expect(a.locator("dd.available").first()).toHaveText(String(before - 1));
  await expect(a.locator("dd.booked").first()).not.toHaveText("0");
  expect(problems).toEqual([]);
  await watcher.close();
  await booker.close();
});

test("booking_confirmed shows up in the notification list and the unread badge, live", async ({ context }) => {
  await newRider(context);
  const inbox = await context.newPage();
  await openLive(inbox, "/notifications");
  await expect(inbox.getByText("Nothing yet.")).toBeVisible();
  await expect(inbox.locator(".unread")).toHaveCount(0);

  const tab = await context.newPage();
  await openLive(tab, "/stations/3");
  await tab.getByRole("button", { name: "Book" }).click();
  await expect(tab).toHaveURL(/\/bookings$/);

  await expect(inbox.locator(".notification", { hasText: "Booking confirmed" })).toBeVisible();
  await expect(inbox.locator("header .unread-count")).toHaveText("1");
  // An unread card is a card with a marker, not the header's red pill stretched over it.
  await expect(inbox.locator(".notification.unread").first()).not.toHaveCSS("display", "inline-block");
  await inbox.getByRole("button", { name: "Mark all as read" }).click();
  await expect(inbox.locator("header .unread-count")).toHaveCount(0);
});

test("my bookings: code, live countdown, live status and cancel", async ({ browser, context, page }) => {
  await newRider(context);
  const booked = await context.request.post("/api/book_battery", { form: { station_id: "4" } });
  expect(booked.status()).toBe(200);
  const booking = await booked.json();
  await openLive(page, "/bookings");
  const card = page.locator(`[data-booking-id="${booking.id}"]`);
  await expect(card.locator(".code strong")).toHaveText(booking.collection_code);
  const countdown = card.locator(".countdown");
  await expect(countdown).toHaveText(/^(29|30):\d\d left to collect$/);
  // It ticks: a second reading differs from the first.
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first ?? "");
  await expect(countdown).toHaveText(/^(29|30):\d\d left to collect$/);
  await expect(card.getByText("Confirmed: being prepared")).toBeVisible();

  // Staff prepare it elsewhere: the rider's page follows.
  const staff = await browser.newContext();
  const login = await staff.request.post("/api/login", { form: { email: "admin@example.com", password: "battery-swap-demo" } });
  expect(login.status()).toBe(200);
  expect((await staff.request.post("/api/mark_ready", { form: { booking_id: String(booking.id) } })).status()).toBe(200);
  await expect(card.getByText("Ready for collection")).toBeVisible();

  // Cancel asks first: opening the question cancels nothing.
  await expect(card.getByRole("button", { name: "Yes, cancel booking" })).toBeHidden();
  await card.getByText("Cancel booking…").click();
  await expect(card.getByText("The pack goes back to the station")).toBeVisible();
  await expect(card.getByText("Ready for collection")).toBeVisible();
  await card.getByRole("button", { name: "Yes, cancel booking" }).click();
  await expect(page.locator(`[data-booking-id="${booking.id}"]`).getByText("Cancelled")).toBeVisible();
  await staff.close();
});

test("the Book button explains why it is disabled", async ({ context, page }) => {
  await newRider(context);
  const admin = await context.browser()!.newContext();
  await admin.request.post("/api/login", { form: { email: "admin@example.com", password: "battery-swap-demo" } });
  await openLive(page, "/stations/5");
  const book = page.getByRole("button", { name: "Book" });
  await expect(book).toBeEnabled();
  expect((await admin.request.post("/api/set_station_status", { form: { station_id: "5", status: "maintenance", message: "Replacing a charger" } })).status()).toBe(200);
  await expect(book).toBeDisabled();
  await expect(page.getByText("This station is maintenance and is not taking bookings.")).toBeVisible();
  await expect(page.getByText("Replacing a charger")).toBeVisible();
  await admin.request.post("/api/set_station_status", { form: { station_id: "5", status: "online" } });
  await expect(book).toBeEnabled();
  await admin.close();
});

test("refusals are shown in plain words", async ({ context, page }) => {
  await newRider(context);
  expect((await context.request.post("/api/book_battery", { form: { station_id: "2" } })).status()).toBe(200);
  await openLive(page, "/stations/3");
  await page.getByRole("button", { name: "Book" }).click();
  await expect(page.getByRole("alert")).toHaveText("You already have an active booking.");
});

test.describe("in the rider's own time zone", () => {
  test.use({ timezoneId: "Asia/Kolkata", locale: "en-GB" });

  test("times are UTC in the markup and local once the page is interactive", async ({ context, page }) => {
    await newRider(context);
    const booked = await context.request.post("/api/book_battery", { form: { station_id: "4" } });
    expect(booked.status()).toBe(200);
    const booking = await booked.json();
    await page.goto("/bookings");
    await hydrated(page);
    const held = page.locator(`[data-booking-id="${booking.id}"] .held time`);
    await expect(held).toHaveAttribute("datetime", booking.expires_at);
    const local = new Date(booking.expires_at).toLocaleTimeString("en-GB", { timeZone: "Asia/Kolkata", hour: "2-digit", minute: "2-digit" });
    await expect(held).toHaveText(`${local} GMT+5:30`);

    // Notifications: local day and time, and how long ago.
    await page.goto("/notifications");
    await hydrated(page);
    await expect(page.locator(".notification .meta time").first()).toHaveText(/^\d{1,2} \w{3},? \d\d:\d\d GMT\+5:30 \((now|\d+ min ago)\)$/);
    await context.request.post("/api/cancel_booking", { form: { booking_id: String(booking.id) } });
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a rider books with a plain form post", async ({ context, page }) => {
    await newRider(context);
    await page.goto("/stations/1");
    await page.getByRole("button", { name: "Book" }).click();
    await expect(page).toHaveURL(/\/bookings$/);
    await expect(page.locator(".booking-confirmed .code strong")).toHaveText(/^[A-Z2-9]{6}$/);
    await expect(page.locator(".booking-confirmed .held")).toHaveText(/^Held until \d\d:\d\d UTC$/);
    // And a refusal comes back as words on the page.
    await page.goto("/stations/1");
    await page.getByRole("button", { name: "Book" }).click();
    await expect(page.getByRole("alert")).toHaveText("You already have an active booking.");
  });
});

test("no console errors or hydration warnings on any page", async ({ context, page }) => {
  const problems = watchConsole(page);
  for (const path of ["/", "/stations/1", "/login", "/register", "/bookings", "/notifications"]) {
    await page.goto(path);
    await hydrated(page);
  }
  await newRider(context);
  for (const path of ["/", "/stations/1", "/bookings", "/notifications"]) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(problems).toEqual([]);
});

test("unknown pages are a real 404 with a way back", async ({ page }) => {
  const res = await page.goto("/nowhere");
  expect(res?.status()).toBe(404);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the stations" }).click();
  await expect(page.getByRole("heading", { name: "Stations" })).toBeVisible();
});

test("marking notifications read in one tab clears the badge in the others, live", async ({ context }) => {
  await newRider(context);
  expect((await context.request.post("/api/book_battery", { form: { station_id: "1" } })).status()).toBe(200);
  const a = await context.newPage();
  const b = await context.newPage();
  await openLive(a, "/notifications");
  await openLive(b, "/");
  await expect(b.locator("header .unread-count")).toHaveText("1");
  await a.getByRole("button", { name: "Mark all as read" }).click();
  await expect(a.locator("header .unread-count")).toHaveCount(0);
  await expect(b.locator("header .unread-count")).toHaveCount(0);
});

test("Book sends the model picked on the page, and the booking is of that model", async ({ context, page }) => {
  // The form's arguments come from the page's state, not from its fields (README "Browser
  // weight"): what the rider picks must be what is posted.
  await newRider(context);
  await openLive(page, "/stations/4");
  const picker = page.getByLabel("Pack model", { exact: true });
  const offered = await picker.locator("option").evaluateAll((options) =>
    options.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? "" })));
  const pick = offered.find((o) => o.value !== "" && !o.text.includes("(0 available)"));
  expect(pick, `a model with a charged pack at station 4: ${JSON.stringify(offered)}`).toBeDefined();
  await picker.selectOption(pick!.value);
  const posted = page.waitForRequest((r) => r.url().endsWith("/api/book_battery"));
  await page.getByRole("button", { name: "Book" }).click();
  const request = await posted;
  // Sent by the page's handler (the server fn client asks for JSON), not as a plain form post.
  expect(request.headers()["accept"]).not.toContain("text/html");
  expect(new URLSearchParams(request.postData() ?? "").get("model")).toBe(pick!.value);
  await expect(page).toHaveURL(/\/bookings$/);
  await expect(page.locator(".booking-confirmed")).toContainText(pick!.value);
});

test("a rider saves their pack model: lists count it first and Book takes one of it", async ({ context, page }) => {
  const GOGORO = "Gogoro Smartscooter Pack";
  await newRider(context);
  await page.goto("/account/pack");
  await hydrated(page);
  await page.getByLabel("Pack model").selectOption(GOGORO);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(`Saved: ${GOGORO}.`)).toBeVisible();

  await page.goto("/");
  await hydrated(page);
  // A station with a charged Gogoro pack: its card counts them as the rider's.
  const card = page.locator(".station-card").filter({ has: page.locator(`.models li[data-model="${GOGORO}"]`) }).first();
  const there = Number(await card.locator(`.models li[data-model="${GOGORO}"] strong`).textContent());
  expect(there).toBeGreaterThan(0);
  await expect(card.locator(".yours dt")).toHaveText(`Your pack (${GOGORO})`);
  await expect(card.locator(".available-yours")).toHaveText(String(there));

  await card.locator("h2 a").click();
  await hydrated(page);
  await expect(page.getByLabel("Pack model", { exact: true })).toHaveValue(GOGORO);
  await page.getByRole("button", { name: "Book" }).click();
  await expect(page).toHaveURL(/\/bookings$/);
  await expect(page.locator(".booking-confirmed")).toContainText(GOGORO);
});
