import { expect, test, type Browser } from "@playwright/test";
import { hydrated } from "../tests/helpers";

// A rider's flow as deployed (.ci/topology): nginx terminates TLS in front of two instances on
// one PostgreSQL database. A `pin` cookie (the test's nginx only) sends each browser to one
// instance: the rider books through A while a watcher's page and socket are served by B.

async function pinned(browser: Browser, instance: "a" | "b") {
  const context = await browser.newContext();
  await context.addCookies([{ name: "pin", value: instance, domain: "localhost", path: "/", secure: true }]);
  return context;
}

test("over https and wss: a booking through one instance shows live on a page of the other", async ({ browser }) => {
  const watcher = await pinned(browser, "b");
  const w = await watcher.newPage();
  const sockets: string[] = [];
  w.on("websocket", (ws) => sockets.push(ws.url()));
  const page = await w.goto("/stations/1");
  expect(page?.status()).toBe(200);
  expect((await page?.securityDetails())?.protocol).toMatch(/^TLS 1\.[23]$/);
  // The page lets its socket reach the public wss:// origin, and the browser keeps to https.
  const headers = page?.headers() ?? {};
  expect(headers["content-security-policy"]).toMatch(/connect-src[^;]*wss:\/\/localhost:8443/);
  expect(headers["strict-transport-security"]).toContain("max-age=");
  await hydrated(w);
  await expect(w.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  expect(sockets.some((u) => u.startsWith("wss://localhost:8443/ws/"))).toBe(true);
  const before = Number(await w.locator("dd.available").first().textContent());
  expect(before).toBeGreaterThan(0);

  const rider = await pinned(browser, "a");
  const r = await rider.newPage();
  await r.goto("/login");
  await hydrated(r);
  await r.getByLabel("Email").fill("rider2@example.com");
  await r.getByLabel("Password").fill("battery-swap-demo");
  await r.getByRole("button", { name: "Log in" }).click();
  await expect(r.getByRole("button", { name: "Log out" })).toBeVisible();
  const session = (await rider.cookies()).find((c) => c.name.startsWith("__Host-"));
  expect(session, "a __Host- session cookie").toBeDefined();
  expect(session?.secure).toBe(true);
  expect(session?.httpOnly).toBe(true);

  await r.goto("/stations/1");
  await hydrated(r);
  await r.getByRole("button", { name: "Book" }).click();
  await expect(r).toHaveURL(/\/bookings$/);
  const code = r.locator(".booking-confirmed .code strong");
  await expect(code).toHaveText(/^[A-Z2-9]{6}$/);

  // Committed on A, NOTIFYed through PostgreSQL, pushed by B to the watcher.
  await expect(w.locator("dd.available").first()).toHaveText(String(before - 1));

  // The trail names the browser's address as nginx forwarded it, not nginx's own (127.0.0.3).
  const admin = await pinned(browser, "b");
  const login = await admin.request.post("/api/login", { form: { email: "admin@example.com", password: "battery-swap-demo" } });
  expect(login.status()).toBe(200);
  const trail = await (await admin.request.post("/api/list_audit", { form: { station_id: "1" } })).json();
  const booked = trail.find((e: { action: string; actor: string }) => e.action === "booking_created" && e.actor === "rider2@example.com");
  // The browser reaches localhost over IPv6 or IPv4; nginx reaches the instances from 127.0.0.3.
  expect(["::1", "127.0.0.1"]).toContain(booked?.address);

  await watcher.close();
  await rider.close();
  await admin.close();
});
