import { expect, test } from "@playwright/test";
import { hydrated, login, watchConsole } from "./helpers";

test("the home page lists stations with counts, server-rendered and hydrated cleanly", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Stations" })).toBeVisible();
  const downtown = page.locator(".station-card", { hasText: "Downtown Station" });
  await expect(downtown).toBeVisible();
  await expect(downtown.locator("dd.available")).toHaveText(/^\d+$/);
  await hydrated(page);
  expect(problems).toEqual([]);
});

test("a new rider registers, sees the stations, logs out and logs back in", async ({ page }) => {
  const problems = watchConsole(page);
  const email = `e2e-${Date.now()}@example.com`;
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Display name").fill("Eve Tester");
  await page.getByLabel(/^Password/).fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Eve Tester (rider)")).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator(".station-card").first()).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await login(page, email, "a long enough password");
  await expect(page.getByText("Eve Tester (rider)")).toBeVisible();
  expect(problems).toEqual([]);
});

test("a wrong password is refused in plain words", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("rider@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Invalid email or password/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("login works as a plain form post, and so does its error", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill("rider@example.com");
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert")).toHaveText(/Invalid email or password/);
    await page.getByLabel("Email").fill("rider@example.com");
    await page.getByLabel("Password").fill("battery-swap-demo");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByText("Riley Rider (rider)")).toBeVisible();
    await expect(page.locator(".station-card", { hasText: "Downtown Station" })).toBeVisible();
  });
});
