import { expect, test, type Page, type Response } from "@playwright/test";
import { hydrated, login, watchConsole } from "./helpers";

// What a rider's browser fetches: the bundle's files carry their content hash and may be kept
// a year; pages never. A rider's pages need only the main wasm (their islands); other pages
// fetch their own island's chunks when first visited, whether reached by a link or opened
// directly; plain forms (login, registration) fetch no code.

const HASHED = /\/pkg\/[^/]+\.[A-Za-z0-9_-]{22}\.[a-z]+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";

function bundleResponses(page: Page): Response[] {
  const seen: Response[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/pkg/")) seen.push(r);
  });
  return seen;
}

const wasmFiles = (seen: Response[]) =>
  seen.map((r) => new URL(r.url()).pathname).filter((p) => p.endsWith(".wasm"));

for (const path of ["/", "/stations/1"]) {
  test(`${path} loads the main bundle only, hashed and cacheable for a year`, async ({ page }) => {
    const problems = watchConsole(page);
    const seen = bundleResponses(page);
    const doc = await page.goto(path);
    expect(doc?.headers()["cache-control"]).toBe("no-store");
    await hydrated(page);
    expect(seen.length).toBeGreaterThanOrEqual(3); // script, loader, wasm (and the stylesheet)
    for (const r of seen) {
      const p = new URL(r.url()).pathname;
      if (p.startsWith("/pkg/snippets/")) continue;
      expect(p, "hashed file name").toMatch(HASHED);
      expect(r.status(), p).toBe(200);
      expect(r.headers()["cache-control"], p).toBe(IMMUTABLE);
    }
    expect(wasmFiles(seen), "wasm files fetched").toHaveLength(1);
    expect(problems).toEqual([]);
  });
}

test("the bundle is fetched only after the page has painted", async ({ page }) => {
  // A phone's first seconds on the network go to what it shows, not to the wasm: no preload
  // in the head, and the script and wasm are requested after the first contentful paint.
  const problems = watchConsole(page);
  await page.goto("/stations/1");
  await hydrated(page);
  expect(await page.locator('head link[rel="preload"], head link[rel="modulepreload"]').count()).toBe(0);
  const order = await page.evaluate(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Infinity;
    const bundle = performance
      .getEntriesByType("resource")
      .filter((r) => /\/pkg\/.*\.(wasm|js)$/.test(new URL(r.name).pathname))
      .map((r) => r.startTime);
    return { paint, firstFetch: Math.min(...bundle), files: bundle.length };
  });
  expect(order.files).toBeGreaterThanOrEqual(2);
  expect(order.paint).toBeLessThan(order.firstFetch);
  expect(problems).toEqual([]);
});

test("other pages fetch their chunks when first visited, by link or directly; plain forms fetch nothing", async ({ page }) => {
  const problems = watchConsole(page);
  const seen = bundleResponses(page);
  // Login and registration are plain forms: no code at all.
  await page.goto("/login");
  await hydrated(page);
  expect(wasmFiles(seen), "the login page's wasm").toHaveLength(0);

  await login(page, "rider@example.com");
  await page.goto("/");
  await hydrated(page);
  const before = wasmFiles(seen).length;
  await page.getByRole("link", { name: "My bookings" }).click();
  await expect(page.getByRole("heading", { name: "My bookings" })).toBeVisible();
  await hydrated(page);
  expect(wasmFiles(seen).length, "the bookings page's chunks").toBeGreaterThan(before);

  // Opened directly, a lazy page hydrates once its chunks are in, and works.
  await page.goto("/notifications");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Notifications", exact: true })).toBeVisible();
  expect(problems).toEqual([]);
});
