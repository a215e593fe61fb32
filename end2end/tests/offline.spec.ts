import { expect, test, type Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { controlled, healthy, hydrated, ownServer, stop, watchConsole } from "./helpers";

// Installable and usable offline (#31) on a phone: the manifest, and the service worker that
// keeps the rider's pages as last seen, shows them offline with the time of their counts, comes
// back by itself with the connection, and is replaced by a new deploy's. A server of its own:
// the last flow restarts it.
const PORT = 8009;
const BASE = `http://127.0.0.1:${PORT}`;
const DB = "../target/e2e-offline.db";
let server: ChildProcess;

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(PORT, DB);
  await healthy(PORT);
});

test.afterAll(async () => {
  await stop(server);
});

test("the manifest makes the app installable: name, start, colours and icons", async ({ page }) => {
  await page.goto(BASE);
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  const res = await page.request.get(`${BASE}${href}`);
  expect(res.status()).toBe(200);
  const manifest = await res.json();
  expect(manifest).toMatchObject({ name: "battery-swap", start_url: "/", display: "standalone", theme_color: "#0b6bcb" });
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  expect(manifest.icons.some((i: { purpose?: string }) => i.purpose === "maskable")).toBe(true);
  for (const icon of manifest.icons) {
    const file = await page.request.get(`${BASE}${icon.src}`);
    expect(file.status(), icon.src).toBe(200);
    expect(file.headers()["content-type"]).toBe(icon.type);
  }
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#0b6bcb");
});

/** Waits until the service worker controls the page and has kept the copy of `path`. */
async function keptCopyOf(page: Page, path: string) {
  await controlled(page);
  await expect.poll(() => page.evaluate(async (path) => {
    const cache = await caches.open("pages");
    return !!(await cache.match(location.origin + path));
  }, path), { timeout: 15_000 }).toBe(true);
}

/** The shell caches the worker holds (one per deploy). */
const shells = (page: Page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("shell-")));

test("offline, the rider's pages show their last counts with the time, and come back online", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(BASE);
  await hydrated(page);
  // This first page came before the worker; the next ones are its.
  await controlled(page);
  await page.goto(`${BASE}/stations/1`);
  await hydrated(page);
  await keptCopyOf(page, "/stations/1");
  const counted = await page.locator("dd.available").first().textContent();
  await page.goto(BASE);
  await hydrated(page);
  await keptCopyOf(page, "/");

  await context.setOffline(true);
  await page.close();
  // Each page opened afresh, as a rider opens the app from the home screen.
  const open = async (path: string) => {
    const tab = await context.newPage();
    problems.push(...watchConsole(tab));
    await tab.goto(`${BASE}${path}`);
    await expect(tab).toHaveURL(`${BASE}${path}`);
    return tab;
  };
  const station = await open("/stations/1");
  await expect(station.locator("#offline-note")).toHaveText(/^Offline: counts as of \d{1,2}:\d{2}/);
  await expect(station.locator("dd.available").first()).toHaveText(counted!);
  // The copy is the page itself: its bundle comes from the worker, and it hydrates under the
  // policy it was served with.
  await hydrated(station);
  await station.close();
  const near = await open("/?near=52.52%2C13.405");
  await expect(near.locator("#offline-note")).toBeVisible();
  await expect(near.locator(".station-card")).toHaveCount(5);
  await hydrated(near);
  await near.close();
  // A page never kept says so rather than failing.
  const bookings = await open("/bookings");
  await expect(bookings.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await bookings.close();

  // Back online, the kept copy reloads itself into the live page.
  const home = await open("/");
  await expect(home.locator("#offline-note")).toHaveText(/^Offline: counts as of/);
  await expect(home.locator(".station-card")).toHaveCount(5);
  await context.setOffline(false);
  await expect(home.locator("#offline-note")).toHaveCount(0);
  await hydrated(home);
  await expect(home.locator(".station-card")).toHaveCount(5);
  expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|WebSocket|Failed to load resource/.test(p))).toEqual([]);
  await context.close();
});

test("a new deploy's worker replaces the old one and its files, with no stale page", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(BASE);
  await hydrated(page);
  await controlled(page);
  await page.reload();
  await hydrated(page);
  await keptCopyOf(page, "/");
  const before = await shells(page);
  expect(before).toHaveLength(1);

  // A new deploy: the same server, with a bundle of other hashed names (its stylesheet's).
  await stop(server);
  server = newDeploy();
  await healthy(PORT);
  await page.reload();
  await hydrated(page);
  // The new worker's files only: the old deploy's are dropped.
  await expect.poll(async () => {
    const now = await shells(page);
    return now.length === 1 && now[0] !== before[0];
  }, { timeout: 15_000 }).toBe(true);
  // The page is the new deploy's, with its stylesheet.
  await expect(page.locator('link[rel="stylesheet"][href^="/pkg/"]')).toHaveAttribute("href", new RegExp(NEW_CSS));
  await expect(page.locator("#offline-note")).toHaveCount(0);
  await context.close();
});

/** The stylesheet's hashed name in the new deploy (22 base64url characters, as cargo-leptos'). */
const NEW_CSS = "NewDeployNewDeployNew0";

/** The server restarted from a copy whose bundle names another stylesheet. */
function newDeploy(): ChildProcess {
  const target = process.env.CARGO_TARGET_DIR ?? "../target";
  const bin = process.env.E2E_BIN ?? `${target}/debug/battery-swap`;
  const site = process.env.E2E_SITE ?? "../target/site";
  const dir = mkdtempSync(join(tmpdir(), "battery-swap-deploy-"));
  copyFileSync(bin, join(dir, "battery-swap"));
  chmodSync(join(dir, "battery-swap"), 0o755);
  const hashes = readFileSync(join(dirname(bin), "hash.txt"), "utf8");
  const css = /^css: *(\S+)/m.exec(hashes)![1];
  writeFileSync(join(dir, "hash.txt"), hashes.replace(`css: ${css}`, `css: ${NEW_CSS}`));
  cpSync(site, join(dir, "site"), { recursive: true });
  copyFileSync(join(dir, "site", "pkg", `battery-swap.${css}.css`), join(dir, "site", "pkg", `battery-swap.${NEW_CSS}.css`));
  const saved = [process.env.E2E_BIN, process.env.E2E_SITE];
  process.env.E2E_BIN = join(dir, "battery-swap");
  process.env.E2E_SITE = join(dir, "site");
  try {
    return ownServer(PORT, DB);
  } finally {
    [process.env.E2E_BIN, process.env.E2E_SITE] = saved;
    if (saved[0] === undefined) delete process.env.E2E_BIN;
    if (saved[1] === undefined) delete process.env.E2E_SITE;
  }
}
