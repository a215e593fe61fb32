// A rider on a slow phone opens a station page: Chromium (Playwright) with its CPU throttled 4x
// and a slow 4G network (Lighthouse's figures: 562.5 ms round trip, 1.47 Mbit/s down, 675 kbit/s
// up), through the DevTools protocol, with an empty cache every run. Prints, per run and the
// median: time to first paint, when the Book button is on screen (it works from then on as a
// plain form post), and when the page is hydrated (the Book button is handled in the page:
// disabled while booking, no reload). Figures, not assertions.
//
//   node slow-phone.mjs                          starts the release server itself (port 8002)
//   ... --bin PATH --site DIR                 another server binary and built site
//   node slow-phone.mjs --url http://host:port   measures a server already running
//   node slow-phone.mjs --runs 5                 runs (default 3)
//
// The release server is `$CARGO_TARGET_DIR/release/battery-swap` serving `../target/site`
// (build both with `.ci/serve`). Chromium is Debian's (`CHROMIUM`, default /usr/bin/chromium).
import { chromium } from "@playwright/test";
import { measuredServer, median, option } from "./measure-server.mjs";

const runs = Number(option("--runs", "3"));
const PAGE = "/stations/1";
const NETWORK = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1474.56 * 1024) / 8,
  uploadThroughput: (675 * 1024) / 8,
};

const server = await measuredServer("slow-phone", "127.0.0.1:8002");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  // A signed-in rider (the Book button is for them), logged in once without throttling.
  const login = await browser.newContext({ baseURL: server.base });
  const res = await login.request.post("/api/login", {
    form: { email: "rider@example.com", password: "battery-swap-demo" },
  });
  if (!res.ok()) throw new Error(`login failed: ${res.status()}`);
  const storageState = await login.storageState();
  await login.close();

  const rows = [];
  for (let i = 0; i < runs; i++) {
    // A new context: empty cache, the rider's cookie.
    const context = await browser.newContext({ baseURL: server.base, storageState });
    const page = await context.newPage();
    await page.addInitScript(() => {
      // The frontend marks <html data-hydrated> once hydration is done.
      new MutationObserver((_, observer) => {
        if (document.documentElement?.hasAttribute("data-hydrated")) {
          window.__hydratedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", NETWORK);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));

    await page.goto(PAGE, { waitUntil: "commit", timeout: 120_000 });
    const book = page.getByRole("button", { name: "Book", exact: true });
    await book.waitFor({ state: "visible", timeout: 120_000 });
    const bookShownAt = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 120_000 });
    const t = await page.evaluate(() => ({
      firstPaint: performance.getEntriesByName("first-paint")[0]?.startTime ?? NaN,
      firstContentfulPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
      hydrated: window.__hydratedAt,
    }));
    rows.push({ ...t, bookShown: bookShownAt, kib: bytes / 1024 });
    await context.close();
  }

  const s = (ms) => `${(ms / 1000).toFixed(2)} s`.padStart(9);
  console.log(`${PAGE}, signed-in rider, CPU 4x slower, slow 4G (562.5 ms RTT, 1.47 Mbit/s), empty cache:`);
  console.log("run   first paint   first contentful paint   Book laid out    Book works (hydrated)   transferred");
  const line = (label, r) =>
    console.log(
      `${label.padEnd(5)} ${s(r.firstPaint)}     ${s(r.firstContentfulPaint)}                ${s(r.bookShown)}        ${s(r.hydrated)}               ${r.kib.toFixed(0).padStart(6)} KiB`,
    );
  rows.forEach((r, i) => line(String(i + 1), r));
  const med = Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(rows.map((r) => r[k]))]));
  line("median", med);
} finally {
  await browser.close();
  await server.stop();
}
