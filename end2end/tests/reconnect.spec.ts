import { expect, test } from "@playwright/test";
import { rmSync } from "node:fs";
import { healthy, hydrated, ownServer, stop } from "./helpers";

const DB = "../target/e2e-restart.db";
const serve = (port: number) => ownServer(port, DB);

test("the page shows a lost connection, reconnects by itself and shows the correct counts", async ({ page }) => {
  test.setTimeout(90_000);
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  let server = serve(8002);
  await healthy(8002);
  await page.goto("http://127.0.0.1:8002/stations/1");
  await hydrated(page);
  const live = page.locator(".live");
  await expect(live).toHaveText("● Live");
  const before = Number(await page.locator("dd.available").textContent());

  await stop(server);
  await expect(live).toHaveText("○ Reconnecting…");

  // While it is down, the inventory changes (through another instance on the same database).
  const other = serve(8003);
  await healthy(8003);
  const login = await fetch("http://127.0.0.1:8003/api/login", { method: "POST", body: new URLSearchParams({ email: "rider@example.com", password: "battery-swap-demo" }) });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  const booked = await fetch("http://127.0.0.1:8003/api/book_battery", { method: "POST", headers: { cookie }, body: new URLSearchParams({ station_id: "1" }) });
  expect(booked.status).toBe(200);
  await stop(other);

  server = serve(8002);
  try {
    await expect(live).toHaveText("● Live", { timeout: 30_000 });
    await expect(page.locator("dd.available")).toHaveText(String(before - 1));
  } finally {
    await stop(server);
  }
});
