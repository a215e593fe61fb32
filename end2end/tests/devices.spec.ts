import { expect, test, type Page } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { DEMO_PASSWORD, healthy, hydrated, login, ownServer, stop, watchConsole } from "./helpers";

/** An anonymous rider watching `/stations/{id}` live. */
async function watching(page: Page, url: string): Promise<Page> {
  await page.goto(url);
  await hydrated(page);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  return page;
}

test("an admin issues a device token; the cabinet's report moves a rider's page live; revoked, it is refused", async ({ browser }) => {
  // Harbour Point (station 5) holds BS-05-007 at 64 %, charging.
  const rider = await watching(await (await browser.newContext()).newPage(), "/stations/5");
  const errors = watchConsole(rider);
  const before = Number(await rider.locator("dd.available").first().textContent());

  const admin = await (await browser.newContext()).newPage();
  await login(admin, "admin@example.com", DEMO_PASSWORD);
  await admin.goto("/admin");
  await hydrated(admin);
  const panel = admin.locator("section", { has: admin.getByRole("heading", { name: "Station devices" }) });
  await panel.getByLabel("Station").selectOption({ label: "Harbour Point" });
  await panel.getByLabel("Label").fill("Cabinet E2E");
  await panel.getByRole("button", { name: "Create device token" }).click();
  const secret = panel.locator(".new-token code.secret");
  await expect(secret).toHaveText(/^bsd_[0-9a-f]{64}$/);
  const token = (await secret.textContent())!;
  const row = panel.locator("tr", { hasText: "Cabinet E2E" });
  await expect(row).toContainText("never");

  // The cabinet reports the pack charged: the rider's count follows without a reload.
  const report = (charge: number, auth = token) =>
    rider.request.post("/api/report_batteries", {
      headers: { Authorization: `Bearer ${auth}` },
      data: { batteries: [{ serial: "BS-05-007", charge_percent: charge }] },
    });
  const charged = await report(95);
  expect(charged.status()).toBe(200);
  expect(await charged.json()).toMatchObject({ station_id: 5, changed: 1 });
  await expect(rider.locator("dd.available").first()).toHaveText(String(before + 1));

  // The admin sees when it last reported, and the audit trail names the device.
  await admin.reload();
  await hydrated(admin);
  await expect(row).not.toContainText("never");
  await expect(admin.locator(".audit-table")).toContainText("Cabinet E2E");

  // Back to charging (other flows count this station), then revoked from the admin page.
  expect((await report(64)).status()).toBe(200);
  await expect(rider.locator("dd.available").first()).toHaveText(String(before));
  await row.getByRole("button", { name: "Revoke Cabinet E2E" }).click();
  await expect(row).toContainText("revoked");
  const refused = await report(95);
  expect(refused.status()).toBe(401);
  expect(await refused.text()).toContain("revoked");
  await expect(rider.locator("dd.available").first()).toHaveText(String(before));
  expect(errors).toEqual([]);
});

test.describe("the living demo", () => {
  // A server of its own with the demo's chargers at their default rate (the shared server
  // runs them off, so its flows count packs undisturbed).
  const PORT = 8006;
  const DB = "../target/e2e-chargers.db";
  let server: ChildProcess;

  test.beforeAll(async () => {
    for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
    server = ownServer(PORT, DB, ["--demo-charger-rate", "6"]);
    await healthy(PORT);
  });

  test.afterAll(async () => {
    await stop(server);
  });

  test("an open station page changes within a minute with nobody acting", async ({ page }) => {
    test.setTimeout(90_000);
    await watching(page, `http://127.0.0.1:${PORT}/stations/1`);
    const before = Number(await page.locator("dd.available").first().textContent());
    // BS-01-004 starts at 86 %; at 6 % a minute its charger makes it available in 40 s.
    await expect(page.locator("dd.available").first()).toHaveText(String(before + 1), { timeout: 60_000 });
  });
});
