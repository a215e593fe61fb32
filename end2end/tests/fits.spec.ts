import { expect, test, type Page } from "@playwright/test";
import { DEMO_PASSWORD, hydrated, login } from "./helpers";

// The console and the admin pages on a phone (390 px) and a tablet (768 px), issue #35: nothing
// of a page ends past the screen's right edge or inside a box that clips it (every disclosure
// opened), every control is a 44 px touch target, and times are in the reader's zone.
const WIDTHS = [390, 768];
const PAGES: Record<string, string[]> = {
  "staff@example.com": ["/console", "/console/1", "/console/1/labels", "/console/1/labels?layout=strip"],
  "admin@example.com": ["/admin", "/console/3"],
};

/** What of the page does not fit: elements past the right edge or cut off by a clipping box. */
function misfits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    for (const d of document.querySelectorAll("details")) d.open = true;
    const width = document.documentElement.clientWidth;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} "${(el.textContent ?? "").trim().slice(0, 40)}"`;
    const out: string[] = [];
    for (const el of document.querySelectorAll("header *, main *")) {
      if (el.closest(".visually-hidden, [hidden], dialog:not([open]), option, svg *")) continue;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > width + 0.5) out.push(`${name(el)} ends at ${Math.round(r.right)} px, past ${width}`);
      for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
        const s = getComputedStyle(box);
        if (s.overflowX === "visible" && s.overflowY === "visible") continue;
        const b = box.getBoundingClientRect();
        if (r.right > b.right + 0.5 || r.left < b.left - 0.5 || r.bottom > b.bottom + 0.5 || r.top < b.top - 0.5) {
          out.push(`${name(el)} is cut off by ${name(box)}`);
        }
      }
    }
    return out;
  });
}

/** Controls smaller than a 44 px touch target. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const controls = "main button, main select, main summary, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), header a, header button";
    for (const el of document.querySelectorAll<HTMLElement>(controls)) {
      if (el.closest(".visually-hidden, [hidden]") || getComputedStyle(el).display === "none") continue;
      const r = el.getBoundingClientRect();
      const wide = el.tagName === "SUMMARY" || el.tagName === "INPUT" || el.tagName === "SELECT" || r.width >= 43.5;
      if (r.height < 43.5 || !wide) out.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" is ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });
}

for (const [who, paths] of Object.entries(PAGES)) {
  for (const width of WIDTHS) {
    test(`${who.split("@")[0]}'s pages fit ${width} px with 44 px targets`, async ({ browser }) => {
      const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
      await login(page, who, DEMO_PASSWORD);
      for (const path of paths) {
        await page.goto(path);
        await hydrated(page);
        // Everything the page loads after hydrating is there.
        await expect(page.locator("main .loading")).toHaveCount(0);
        expect(await misfits(page), `${path} at ${width} px`).toEqual([]);
        expect(await smallTargets(page), `${path} at ${width} px`).toEqual([]);
      }
    });
  }
}

test("console and admin times are the reader's, and UTC (said so) without JavaScript", async ({ browser, playwright }) => {
  // A rider's booking puts a line in the station's history and a booking in its queue.
  const rider = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  const email = `fits-${Date.now()}@example.com`;
  expect((await rider.post("/api/register", { form: { email, password: "a long enough password" } })).status()).toBe(200);
  const booking = await (await rider.post("/api/book_battery", { form: { station_id: "1" } })).json();
  try {
    for (const [who, path] of [["staff@example.com", "/console/1"], ["admin@example.com", "/admin"]]) {
      const ctx = await browser.newContext({ timezoneId: "Asia/Kolkata" });
      const page = await ctx.newPage();
      await login(page, who, DEMO_PASSWORD);
      await page.goto(path);
      await hydrated(page);
      await expect(page.locator(".audit-table time").first()).toHaveText(/GMT\+5:30$/);
      if (path === "/console/1") {
        await expect(page.locator(`.queue-list [data-booking-id="${booking.id}"] time`)).toHaveText(/GMT\+5:30 \(in \d+ min\)$/);
      }
      const plain = await (await browser.newContext({ javaScriptEnabled: false, storageState: await ctx.storageState() })).newPage();
      await plain.goto(path);
      if (path === "/console/1") await expect(plain.locator(".audit-table time").first()).toHaveText(/ UTC$/);
    }
  } finally {
    await rider.post("/api/cancel_booking", { form: { booking_id: String(booking.id) } });
  }
});
