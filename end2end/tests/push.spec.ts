import { expect, test, type Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { controlled, DEMO_PASSWORD, healthy, hydrated, ownServer, stop, watchConsole } from "./helpers";

// Push notifications (#31) on a phone: the switch on the Notifications page turns this device
// on and off, the server pushes a rider's notification to the device's push service, and the
// service worker shows a push as a notification that opens its page. The browser's own push
// service needs the internet, so this page's `PushManager` subscribes with a push service this
// test stands up on loopback (keys made by the page's WebCrypto, as a browser's are).
const PORT = 8011;
const BASE = `http://127.0.0.1:${PORT}`;
const DB = "../target/e2e-push.db";
let server: ChildProcess;
let pushService: ReturnType<typeof createServer>;
let serviceOrigin = "";
const received: { url: string; headers: IncomingHttpHeaders; bytes: number }[] = [];

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  pushService = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, bytes: Buffer.concat(chunks).length });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((ok) => pushService.listen(0, "127.0.0.1", ok));
  serviceOrigin = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`;
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(PORT, DB, ["--push-services", serviceOrigin]);
  await healthy(PORT);
});

test.afterAll(async () => {
  await stop(server);
  pushService.close();
});

/** The page's PushManager subscribes with the loopback service (kept across reloads). */
async function loopbackPush(page: Page, origin: string) {
  await page.addInitScript((origin) => {
    const b64 = (bytes: ArrayBuffer) =>
      btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const wrap = (saved: { endpoint: string; p256dh: string; auth: string }) => ({
      endpoint: saved.endpoint,
      toJSON: () => ({ endpoint: saved.endpoint, keys: { p256dh: saved.p256dh, auth: saved.auth } }),
      unsubscribe: async () => (localStorage.removeItem("test-push"), true),
    });
    PushManager.prototype.getSubscription = async function () {
      const saved = localStorage.getItem("test-push");
      return saved ? (wrap(JSON.parse(saved)) as unknown as PushSubscription) : null;
    };
    PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
      if (!options?.applicationServerKey) throw new Error("no server key");
      const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
      const saved = {
        endpoint: `${origin}/push/${crypto.randomUUID()}`,
        p256dh: b64(await crypto.subtle.exportKey("raw", pair.publicKey)),
        auth: b64(crypto.getRandomValues(new Uint8Array(16)).buffer),
      };
      localStorage.setItem("test-push", JSON.stringify(saved));
      return wrap(saved) as unknown as PushSubscription;
    };
  }, origin);
}

test("a rider turns push on for this phone, gets a notification pushed, and turns it off", async ({ browser }) => {
  const context = await browser.newContext({ permissions: ["notifications"] });
  const email = `push-${Date.now()}@example.com`;
  expect((await context.request.post(`${BASE}/api/register`, { form: { email, password: "a long enough password" } })).status()).toBe(200);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await loopbackPush(page, serviceOrigin);
  await page.goto(`${BASE}/notifications`);
  await hydrated(page);
  const box = page.getByRole("region", { name: "Push notifications on this device" });
  await expect(box.getByRole("status")).toHaveText(/^Off:/);
  await box.getByRole("button", { name: "Turn on for this device" }).click();
  await expect(box.getByRole("status")).toHaveText(/^On: your notifications come to this device/);

  // An admin's message to the rider reaches the device's push service, encrypted.
  const admin = await browser.newContext();
  expect((await admin.request.post(`${BASE}/api/login`, { form: { email: "admin@example.com", password: DEMO_PASSWORD } })).status()).toBe(200);
  const sent = await admin.request.post(`${BASE}/api/send_notification`, { form: { email, title: "Station closing early", message: "Downtown closes at 8 pm." } });
  expect(sent.status()).toBe(200);
  await expect.poll(() => received.length, { timeout: 15_000 }).toBe(1);
  expect(received[0].headers["content-encoding"]).toBe("aes128gcm");
  expect(received[0].headers.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]{87}$/);
  expect(received[0].bytes).toBeGreaterThan(86);

  // Still on after a reload (the server knows this device), then off.
  await page.reload();
  await hydrated(page);
  await expect(box.getByRole("status")).toHaveText(/^On:/);
  await box.getByRole("button", { name: "Turn off on this device" }).click();
  await expect(box.getByRole("status")).toHaveText(/^Off:/);
  expect(problems).toEqual([]);
  await admin.close();
  await context.close();
});

test("the service worker shows a push as a notification, with the page it opens", async ({ browser }) => {
  const context = await browser.newContext({ permissions: ["notifications"] });
  const page = await context.newPage();
  await page.goto(BASE);
  await hydrated(page);
  await controlled(page);
  // The push as the browser's push service would hand it to the worker.
  const cdp = await context.newCDPSession(page);
  const registration = new Promise<string>((ok) =>
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const ours = registrations.find((r: { scopeURL: string; isDeleted: boolean }) => r.scopeURL === `${BASE}/` && !r.isDeleted);
      if (ours) ok(ours.registrationId);
    }));
  await cdp.send("ServiceWorker.enable");
  const data = JSON.stringify({ title: "Your battery is ready", message: "Collect it at Downtown Station.", url: "/bookings", tag: "notification-1" });
  const registrationId = await registration;
  // Delivered until shown: a worker the browser has just stopped may miss one (the tag makes
  // a second delivery replace the first, not add to it).
  await expect.poll(async () => {
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: BASE, registrationId, data });
    return page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => [n.title, n.body, n.data?.url]));
  }, { timeout: 15_000 }).toEqual([["Your battery is ready", "Collect it at Downtown Station.", "/bookings"]]);
  await context.close();
});

test("the switch is not offered to someone signed out", async ({ page }) => {
  await page.goto(`${BASE}/notifications`);
  await hydrated(page);
  await expect(page.locator("#push-device")).toHaveCount(0);
});
