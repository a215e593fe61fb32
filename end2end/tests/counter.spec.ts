import { expect, test, type APIRequestContext } from "@playwright/test";
import { DEMO_PASSWORD, hydrated, login, watchConsole } from "./helpers";
import { video, withCamera } from "./camera";

// The counter (issue #35): the rider's code as a QR code, staff scanning it and packs' labels
// with a camera (Chromium's fake camera playing the server's own QR codes), typing as before.
// Each flow leaves Downtown Station with as many charged packs as it found (a collection takes
// one away, a charged pack handed back brings one), since the other flows book there too.
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 768, height: 1024 };

type Json = Record<string, any>;

function base(): string {
  return test.info().project.use.baseURL!;
}

async function rider(playwright: { request: { newContext(o: object): Promise<APIRequestContext> } }) {
  const api = await playwright.request.newContext({ baseURL: base() });
  const email = `counter-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  expect((await api.post("/api/register", { form: { email, password: "a long enough password" } })).status()).toBe(200);
  return api;
}

async function staffApi(playwright: { request: { newContext(o: object): Promise<APIRequestContext> } }) {
  const api = await playwright.request.newContext({ baseURL: base() });
  expect((await api.post("/api/login", { form: { email: "staff@example.com", password: DEMO_PASSWORD } })).status()).toBe(200);
  return api;
}

async function post(api: APIRequestContext, name: string, form: Json = {}): Promise<any> {
  const res = await api.post(`/api/${name}`, { form });
  expect(res.status(), `${name}: ${await res.text()}`).toBe(200);
  return res.json();
}

async function book(api: APIRequestContext, station = 1): Promise<Json> {
  return post(api, "book_battery", { station_id: String(station) });
}

async function qrOf(api: APIRequestContext, bookingId: number): Promise<string> {
  const mine: Json[] = await post(api, "my_bookings");
  return mine.find((b) => b.id === bookingId)!.collection_qr;
}

test("staff scan the returned pack's label, then the rider's code: collected, and the pack checked in", async ({ playwright }) => {
  const riderApi = await rider(playwright);
  const staff = await staffApi(playwright);
  // The rider took a pack away earlier: it is the one handed back at the counter.
  const first = await book(riderApi);
  const before = await post(riderApi, "get_station", { station_id: "1" });
  const serial: string = before.batteries.find((b: Json) => b.id === first.battery_id).serial;
  const labels: Json[] = await post(staff, "pack_labels", { station_id: "1" });
  const label = labels.find((l) => l.serial === serial)!.qr_svg;
  await post(staff, "collect_booking", {
    booking_id: String(first.id),
    code: first.collection_code,
    returned_serial: `CNT-${Date.now()}`,
    returned_model: "Tesla Battery - Model 3",
    returned_charge: "100",
  });
  const second = await book(riderApi);
  const camera = await withCamera(video("counter", [label, await qrOf(riderApi, second.id)]));
  try {
    const page = await (await camera.newContext({ baseURL: base(), viewport: PHONE })).newPage();
    const problems = watchConsole(page);
    await login(page, "staff@example.com");
    await page.goto("/console/1");
    await hydrated(page);
    const counter = page.locator("#counter");
    await counter.getByRole("button", { name: "Scan the returned pack's label" }).click();
    await expect(counter.getByLabel("Serial")).toHaveValue(serial);
    await expect(counter.getByLabel("Charge %")).toBeFocused();
    await counter.getByLabel("Charge %").fill("95");
    // The video shows the label too: the code's scan waits for the code, and the code confirms.
    await counter.getByRole("button", { name: "Scan code" }).click();
    await expect(counter.getByText(`Booking ${second.id} collected`)).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("data-scan-decoder", /^(jsqr|barcode-detector)$/);
    await expect(counter.getByLabel("Serial")).toHaveValue("");
    const after: Json[] = await post(riderApi, "my_bookings");
    expect(after.find((b) => b.id === second.id)!.status).toBe("collected");
    const station = await post(riderApi, "get_station", { station_id: "1" });
    expect(station.batteries.find((b: Json) => b.serial === serial)).toMatchObject({ state: "available", charge_percent: 95 });
    await expect(page.locator(".audit-table")).toContainText(`pack ${serial} checked in at 95%`);
    expect(problems).toEqual([]);
  } finally {
    await camera.close();
  }
});

test("a pack's label scanned in the inventory opens its row", async ({ playwright }) => {
  const staff = await staffApi(playwright);
  const station = await post(staff, "get_station", { station_id: "1" });
  const pack: Json = station.batteries.find((b: Json) => b.state === "available" || b.state === "charging");
  const labels: Json[] = await post(staff, "pack_labels", { station_id: "1" });
  const camera = await withCamera(video("inventory", [labels.find((l) => l.serial === pack.serial)!.qr_svg]));
  try {
    const page = await (await camera.newContext({ baseURL: base(), viewport: TABLET })).newPage();
    await login(page, "staff@example.com");
    await page.goto("/console/1");
    await hydrated(page);
    const find = page.locator("form.find-pack");
    await find.getByRole("button", { name: "Scan a pack's label to find it" }).click();
    const row = page.locator(`table.inventory tr[data-serial="${pack.serial}"]`);
    await expect(row).toHaveClass(/found/);
    await expect(row.locator("select")).toBeFocused();
    await expect(row).toBeInViewport();
    await expect(find.getByRole("status")).toHaveText(`Pack ${pack.serial}: its row is marked below.`);
    // The live inventory is drawn again after any change at the station, its rows in charge
    // order: when the marked pack drains and moves down, the mark goes with it.
    await post(staff, "update_battery", { battery_id: String(pack.id), charge_percent: "5" });
    await expect(row.locator("input[name=charge_percent]")).toHaveValue("5");
    await expect(row).toHaveClass(/found/);
    await expect(page.locator("tr.found")).toHaveCount(1);
    // Typed, a serial the station does not hold says so.
    await find.getByLabel("Find a pack").fill("NOT-HERE-1");
    await find.getByRole("button", { name: "Find", exact: true }).click();
    await expect(find.getByRole("status")).toHaveText("No pack NOT-HERE-1 at this station.");
    await expect(row).not.toHaveClass(/found/);
    await post(staff, "update_battery", { battery_id: String(pack.id), state: "available", charge_percent: "100" });
  } finally {
    await camera.close();
  }
});

test("without a camera the scanner says so, and a typed code confirms at the counter", async ({ browser, playwright }) => {
  const riderApi = await rider(playwright);
  const booking = await book(riderApi);
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  await login(page, "staff@example.com");
  await page.goto("/console/1");
  await hydrated(page);
  const counter = page.locator("#counter");
  await counter.getByRole("button", { name: "Scan code" }).click();
  const dialog = page.getByRole("dialog", { name: "Scan the rider's code" });
  await expect(dialog.getByRole("status")).toHaveText(/type instead\.$/);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  await counter.getByLabel("Rider's collection code").fill("WRONG9");
  await counter.getByRole("button", { name: "Confirm collection" }).click();
  await expect(counter.getByRole("alert")).toHaveText("The collection code does not match.");
  // As a hand-held scanner types the QR code's text, with a charged pack handed back.
  await counter.getByLabel("Rider's collection code").fill(`BSWAP:CODE:${booking.collection_code}`);
  await counter.getByLabel("Serial").fill(`CNT-TYPED-${Date.now()}`);
  await counter.getByLabel("Model (new packs only)").fill("Tesla Battery - Model 3");
  await counter.getByLabel("Charge %").fill("100");
  await counter.getByRole("button", { name: "Confirm collection" }).click();
  await expect(counter.getByText(`Booking ${booking.id} collected`)).toBeVisible();
  await expect(page.locator(`.queue-list [data-booking-id="${booking.id}"]`)).toHaveCount(0);
});

test("my bookings shows the code as a QR code that reads back, with and without JavaScript", async ({ browser, playwright }) => {
  const riderApi = await rider(playwright);
  const booking = await book(riderApi);
  const ctx = await browser.newContext({ viewport: PHONE, storageState: await riderApi.storageState() });
  const page = await ctx.newPage();
  await page.goto("/bookings");
  await hydrated(page);
  const qr = page.locator(`[data-booking-id="${booking.id}"] .code-qr svg`);
  await expect(qr).toHaveAttribute("aria-label", `Collection code ${booking.collection_code} as a QR code`);
  // Large enough to scan across a counter: 16 rem on a phone (its stylesheet, bookings.css).
  expect(Math.round((await qr.boundingBox())!.width)).toBe(254);
  const read = await qr.evaluate(async (svg) => {
    await new Promise((ok, fail) => {
      const s = Object.assign(document.createElement("script"), { src: "/scan/jsqr-1.4.0/jsQR.js", onload: ok, onerror: fail });
      document.head.append(s);
    });
    const img = new Image();
    img.src = "data:image/svg+xml;base64," + btoa(svg.outerHTML);
    await img.decode();
    const canvas = Object.assign(document.createElement("canvas"), { width: 330, height: 330 });
    const g = canvas.getContext("2d")!;
    g.drawImage(img, 0, 0, 330, 330);
    const data = g.getImageData(0, 0, 330, 330);
    return (window as any).jsQR(data.data, 330, 330)?.data;
  });
  expect(read).toBe(`BSWAP:CODE:${booking.collection_code}`);
  const plain = await (await browser.newContext({ javaScriptEnabled: false, storageState: await riderApi.storageState() })).newPage();
  await plain.goto("/bookings");
  await expect(plain.locator(`[data-booking-id="${booking.id}"] .code-qr svg`)).toBeVisible();
  await expect(plain.locator(`[data-booking-id="${booking.id}"] .code strong`)).toHaveText(booking.collection_code);
  await post(riderApi, "cancel_booking", { booking_id: String(booking.id) });
});

test("pack labels print as A4 sheets of 24 and as one per label on a printer's strip", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await login(page, "staff@example.com");
  for (const [layout, perPage, box] of [["a4", 24, [595, 842]], ["strip", 1, [176, 82]]] as const) {
    await page.goto(`/console/1/labels?layout=${layout}`);
    await hydrated(page);
    const labels = await page.locator("li.label").count();
    expect(labels).toBeGreaterThan(0);
    const pdf = (await page.pdf({ preferCSSPageSize: true })).toString("latin1");
    const pages = [...pdf.matchAll(/\/Type\s*\/Page\b(?!s)/g)].length;
    expect(pages, layout).toBe(Math.ceil(labels / perPage));
    const size = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf)!;
    expect([Math.round(Number(size[1])), Math.round(Number(size[2]))], layout).toEqual(box);
  }
  // The Print button shows once its code is there.
  await expect(page.getByRole("button", { name: "Print" })).toBeVisible();
});
