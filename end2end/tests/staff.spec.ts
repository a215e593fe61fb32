import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { DEMO_PASSWORD, hydrated, login, watchConsole } from "./helpers";

let n = 0;
async function rider(browser: Browser): Promise<BrowserContext> {
  const ctx = await browser.newContext();
  const email = `staff-flow-${Date.now()}-${n++}@example.com`;
  const res = await ctx.request.post("/api/register", { form: { email, password: "a long enough password" } });
  expect(res.status()).toBe(200);
  return ctx;
}

async function staffConsole(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, "staff@example.com", DEMO_PASSWORD);
  await page.goto("/console/1");
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  return page;
}

async function riderStation(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto("/stations/1");
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  return page;
}

test("staff add a battery and an open rider page shows the new count", async ({ browser }) => {
  const staff = await staffConsole(browser);
  const problems = watchConsole(staff);
  const riderPage = await riderStation(await rider(browser));
  const before = Number(await riderPage.locator("dd.total").textContent());
  await staff.locator("#new-serial").fill(`E2E-${Date.now()}`);
  await staff.locator("#new-model").fill("Tesla Battery - Model 3");
  await staff.locator("#new-charge").fill("99");
  await staff.getByRole("button", { name: "Add battery" }).click();
  await expect(staff.getByText(/^Added E2E-\d+ \(99%\)\.$/)).toBeVisible();
  await expect(riderPage.locator("dd.total")).toHaveText(String(before + 1));
  await expect(staff.locator("dd.total")).toHaveText(String(before + 1));
  expect(problems).toEqual([]);
});

test("staff set maintenance and the rider's Book button disables with the reason", async ({ browser }) => {
  const staff = await staffConsole(browser);
  const riderPage = await riderStation(await rider(browser));
  await expect(riderPage.getByRole("button", { name: "Book" })).toBeEnabled();
  await staff.getByLabel("Status", { exact: true }).selectOption("maintenance");
  await staff.getByLabel("Message").fill("Charger swap until noon");
  await staff.getByRole("button", { name: "Set status" }).click();
  await expect(riderPage.getByRole("button", { name: "Book" })).toBeDisabled();
  await expect(riderPage.getByText("This station is maintenance and is not taking bookings.")).toBeVisible();
  await expect(riderPage.getByText("Charger swap until noon")).toBeVisible();
  await staff.getByLabel("Status", { exact: true }).selectOption("online");
  await staff.getByLabel("Message").fill("");
  await staff.getByRole("button", { name: "Set status" }).click();
  await expect(riderPage.getByRole("button", { name: "Book" })).toBeEnabled();
});

test("rider books, staff mark it ready and confirm with the code: the rider follows live", async ({ browser }) => {
  const staff = await staffConsole(browser);
  const second = await staffConsole(browser); // a second staff tab stays in sync
  const ctx = await rider(browser);
  const booked = await ctx.request.post("/api/book_battery", { form: { station_id: "1" } });
  expect(booked.status()).toBe(200);
  const booking = await booked.json();
  const mine = await ctx.newPage();
  await mine.goto("/bookings");
  await hydrated(mine);
  await expect(mine.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  const item = staff.locator(`.queue-list [data-booking-id="${booking.id}"]`);
  await expect(item).toBeVisible();
  await expect(second.locator(`.queue-list [data-booking-id="${booking.id}"]`)).toBeVisible();
  await item.getByRole("button", { name: "Mark ready" }).click();
  await expect(mine.getByText("Ready for collection")).toBeVisible();
  await expect(second.locator(`.queue-list [data-booking-id="${booking.id}"] .badge`)).toHaveText("ready");

  await item.getByText("Confirm collection").first().click();
  await item.getByLabel("Rider's collection code").fill("WRONG9");
  await item.getByRole("button", { name: "Confirm collection" }).click();
  await expect(staff.getByRole("alert")).toHaveText("The collection code does not match.");
  await item.getByLabel("Rider's collection code").fill(booking.collection_code);
  await item.getByRole("button", { name: "Confirm collection" }).click();
  await expect(staff.getByText(`Booking ${booking.id} collected.`)).toBeVisible();
  await expect(mine.locator(`[data-booking-id="${booking.id}"]`).getByText("Collected")).toBeVisible();
  await expect(second.locator(`.queue-list [data-booking-id="${booking.id}"]`)).toHaveCount(0);
  await expect(staff.locator(".audit-table")).toContainText("booking collected");
});

test("a rider cannot open the console or the admin page", async ({ browser }) => {
  const ctx = await rider(browser);
  const page = await ctx.newPage();
  for (const path of ["/console", "/console/1", "/admin"]) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Staff only" })).toBeVisible();
  }
  await expect(page.getByRole("link", { name: "Console" })).toHaveCount(0);
  const refused = await ctx.request.post("/api/add_battery", { form: { station_id: "1", serial: "NOPE", model: "x", charge_percent: "99" } });
  expect(refused.status()).toBe(403);
});

test("admins create a station that appears on every open station list", async ({ browser }) => {
  const watcher = await (await browser.newContext()).newPage();
  await watcher.goto("/");
  await hydrated(watcher);
  const admin = await (await browser.newContext()).newPage();
  await login(admin, "admin@example.com", DEMO_PASSWORD);
  await admin.goto("/admin");
  await hydrated(admin);
  const name = `E2E Station ${Date.now()}`;
  await admin.locator("#name-new").fill(name);
  await admin.locator("#address-new").fill("9 Test Row");
  await admin.locator("#lat-new").fill("52.5");
  await admin.locator("#lng-new").fill("13.4");
  await admin.getByRole("button", { name: "Create station" }).click();
  await expect(admin.getByText(name).first()).toBeVisible();
  await expect(admin.locator(".audit-table")).toContainText("station created");
});

test("an admin messages one rider by email, then everyone; riders see it live", async ({ browser }) => {
  const one = await browser.newContext();
  const email = `message-me-${Date.now()}@example.com`;
  expect((await one.request.post("/api/register", { form: { email, password: "a long enough password" } })).status()).toBe(200);
  const other = await rider(browser);
  const [onePage, otherPage] = [await one.newPage(), await other.newPage()];
  for (const p of [onePage, otherPage]) {
    await p.goto("/notifications");
    await hydrated(p);
    await expect(p.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  }
  const admin = await (await browser.newContext()).newPage();
  await login(admin, "admin@example.com", DEMO_PASSWORD);
  await admin.goto("/admin");
  await hydrated(admin);

  const personal = `Just for you ${Date.now()}`;
  await admin.getByLabel("To (email; empty for everyone)").fill(email.toUpperCase());
  await admin.locator("#send-title").fill(personal);
  await admin.locator("#send-message").fill("Your pack is waiting.");
  await admin.getByRole("button", { name: "Send", exact: true }).click();
  await expect(admin.getByText("Sent to 1 user(s).")).toBeVisible();
  await expect(onePage.locator(".notification", { hasText: personal })).toBeVisible();

  const unknown = `nobody-${Date.now()}@example.com`;
  await admin.getByLabel("To (email; empty for everyone)").fill(unknown);
  await admin.getByRole("button", { name: "Send", exact: true }).click();
  await expect(admin.getByText(/not found/i)).toBeVisible();

  const everyone = `To everyone ${Date.now()}`;
  await admin.getByLabel("To (email; empty for everyone)").fill("");
  await admin.locator("#send-title").fill(everyone);
  await admin.getByRole("button", { name: "Send", exact: true }).click();
  await expect(onePage.locator(".notification", { hasText: everyone })).toBeVisible();
  await expect(otherPage.locator(".notification", { hasText: everyone })).toBeVisible();
  await expect(otherPage.locator(".notification", { hasText: personal })).toHaveCount(0);
  await Promise.all([one.close(), other.close(), admin.context().close()]);
});

test("an admin makes a rider staff and assigns a station; their console shows it", async ({ browser }) => {
  const person = await browser.newContext();
  const email = `new-staff-${Date.now()}@example.com`;
  expect((await person.request.post("/api/register", { form: { email, password: "a long enough password" } })).status()).toBe(200);
  const admin = await (await browser.newContext()).newPage();
  await login(admin, "admin@example.com", DEMO_PASSWORD);
  await admin.goto("/admin");
  await hydrated(admin);
  const row = admin.locator(`tr[data-user="${email}"]`);
  await row.getByLabel(`Role of ${email}`).selectOption("staff");
  await row.getByRole("button", { name: "Set role" }).click();
  await row.getByLabel(`Station for ${email}`).selectOption({ label: "Downtown Station" });
  await row.getByRole("button", { name: "Assign", exact: true }).click();
  await expect(row).toContainText("Downtown Station");

  const page = await person.newPage();
  await page.goto("/console");
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Downtown Station" })).toBeVisible();
  await Promise.all([person.close(), admin.context().close()]);
});

test("staff cancel a booking with a reason, and the rider reads it live", async ({ browser }) => {
  const riderCtx = await rider(browser);
  const booked = await riderCtx.request.post("/api/book_battery", { form: { station_id: "1" } });
  expect(booked.status()).toBe(200);
  const booking = await booked.json();
  const inbox = await riderCtx.newPage();
  await inbox.goto("/notifications");
  await hydrated(inbox);
  await expect(inbox.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  const staff = await (await browser.newContext()).newPage();
  await login(staff, "staff@example.com", DEMO_PASSWORD);
  await staff.goto("/console/1");
  await hydrated(staff);
  const card = staff.locator(`[data-booking-id="${booking.id}"]`);
  await card.locator("summary", { hasText: "Cancel booking" }).click();
  const reason = `Charger fault ${Date.now()}`;
  await card.getByLabel("Reason (the rider is told)").fill(reason);
  await card.getByRole("button", { name: "Cancel booking" }).click();
  // Gone from the queue, or shown as cancelled: no longer confirmed either way.
  await expect(card.filter({ hasText: "confirmed" })).toHaveCount(0);

  await expect(inbox.locator(".notification", { hasText: reason })).toBeVisible();
  await Promise.all([riderCtx.close(), staff.context().close()]);
});

test("staff edit a pack's state; the rider's count follows and the audit filter finds it", async ({ browser }) => {
  const staff = await staffConsole(browser);
  const ctx = await rider(browser);
  const page = await riderStation(ctx);
  const available = page.locator("dd.available").first();
  const before = Number(await available.textContent());

  // An available pack of station 1 goes to maintenance, then back.
  const row = staff.locator("table.inventory tbody tr").filter({ has: staff.locator('select[name="state"] option[value="available"][selected]') }).first();
  const serial = (await row.getAttribute("data-serial"))!;
  await row.locator('select[name="state"]').selectOption("maintenance");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(available).toHaveText(String(before - 1));
  const again = staff.locator(`table.inventory tr[data-serial="${serial}"]`);
  await expect(again.locator('select[name="state"]')).toHaveValue("maintenance");
  await again.locator('select[name="state"]').selectOption("available");
  await again.getByRole("button", { name: "Save" }).click();
  await expect(available).toHaveText(String(before));

  // The audit trail, filtered to pack edits, lists only those, this one first.
  await staff.getByLabel("Show").selectOption("battery_updated");
  const entries = staff.locator(".audit-table tbody tr");
  await expect(entries.first()).toContainText(`${serial}: maintenance`);
  for (const action of await entries.locator("td:nth-child(4)").allTextContents()) expect(action).toBe("battery updated");
  await staff.getByLabel("Show").selectOption("");
  await expect(staff.locator(".audit-table tbody td:nth-child(4)", { hasText: "battery added" }).first()).toBeVisible();
  await ctx.close();
});

test("a swap: the rider's pack goes out, the returned one is checked in charging", async ({ browser }) => {
  const staff = await staffConsole(browser);
  const ctx = await rider(browser);
  const booked = await ctx.request.post("/api/book_battery", { form: { station_id: "1" } });
  expect(booked.status()).toBe(200);
  const booking = await booked.json();
  const item = staff.locator(`.queue-list [data-booking-id="${booking.id}"]`);
  await expect(item).toBeVisible();

  const returned = `RET-${Date.now()}`;
  await item.getByText("Confirm collection").first().click();
  await item.getByLabel("Rider's collection code").fill(booking.collection_code);
  await item.getByLabel("Serial").fill(returned);
  await item.getByLabel("Model (new packs only)").fill("Gogoro Smartscooter Pack");
  await item.getByLabel("Charge %").fill("35");
  await item.getByRole("button", { name: "Confirm collection" }).click();
  await expect(staff.getByText(`Booking ${booking.id} collected.`)).toBeVisible();
  const pack = staff.locator(`table.inventory tr[data-serial="${returned}"]`);
  await expect(pack).toBeVisible();
  await expect(pack.locator('select[name="state"]')).toHaveValue("charging");
  await expect(pack).toContainText("Gogoro Smartscooter Pack");
  await expect(staff.locator(".audit-table")).toContainText("pack returned");
  await ctx.close();
});
