import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, hydrated } from "./helpers";

test("a station that does not exist answers 404 with a page and the way back", async ({ page }) => {
  for (const path of ["/stations/999", "/stations/not-a-number"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Station not found" })).toBeVisible();
    await expect(page.getByRole("link", { name: "See all stations" })).toHaveAttribute("href", "/");
  }
});

test("the live indicator says Connecting… until the first connection, never Reconnecting…", async ({ page }) => {
  // Every feed socket is refused: the page never gets a first connection.
  await page.routeWebSocket(/\/ws\//, (ws) => ws.close());
  await page.goto("/stations/1");
  await hydrated(page);
  const live = page.locator(".page-head .live");
  await expect(live).toBeVisible();
  await expect(live).toHaveText("○ Connecting…");
  await page.unrouteAll();
});

test("the live indicator shows Live once connected", async ({ page }) => {
  await page.goto("/stations/1");
  await hydrated(page);
  await expect(page.locator(".page-head .live")).toHaveText("● Live");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("no live indicator is shown: there is no feed to wait for", async ({ page }) => {
    await page.goto("/stations/1");
    await expect(page.getByRole("heading", { name: "Downtown Station" })).toBeVisible();
    await expect(page.locator(".page-head .live")).toBeHidden();
  });
});

test.describe("after logging in", () => {
  async function logIn(page: import("@playwright/test").Page) {
    await page.getByLabel("Email").fill("rider@example.com");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  test("the rider is back on the page they came from", async ({ page }) => {
    await page.goto("/stations/2");
    await hydrated(page);
    await page.locator("header").getByRole("link", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/login\?next=\/stations\/2$/);
    await logIn(page);
    await expect(page).toHaveURL(/\/stations\/2$/);
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  });

  test("another site is never where a login leads", async ({ page, baseURL }) => {
    for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example/"]) {
      await page.context().clearCookies();
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await hydrated(page);
      await logIn(page);
      await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
      expect(page.url(), next).toBe(`${baseURL}/`);
    }
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });

    test("a plain form post comes back too", async ({ page }) => {
      await page.goto("/login?next=/stations/3");
      await logIn(page);
      await expect(page).toHaveURL(/\/stations\/3$/);
      await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    });
  });
});
