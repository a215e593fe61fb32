import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, hydrated, login, watchConsole } from "./helpers";

test("a rider creates an API token, sees its secret once, uses it and revokes it", async ({ page, request }) => {
  const problems = watchConsole(page);
  await login(page, "rider@example.com");
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Label").fill("e2e script");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.locator("code.secret");
  await expect(secret).toHaveText(/^[0-9a-f]{64}$/);
  const token = (await secret.textContent()) ?? "";
  await expect(page.locator("tr", { hasText: "e2e script" })).toBeVisible();

  // The token works for a script (a request context without the page's cookie).
  const bearer = { Authorization: `Bearer ${token}` };
  const me = await request.post("/api/me", { headers: bearer });
  expect((await me.json()).email).toBe("rider@example.com");

  await page.getByRole("button", { name: "Revoke e2e script" }).click();
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  const after = await request.post("/api/me", { headers: bearer });
  expect(await after.json()).toBeNull();
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("tokens are created, shown once and revoked with plain form posts", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill("rider@example.com");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByText("Riley Rider (rider)")).toBeVisible();

    await page.goto("/account/tokens");
    await page.getByLabel("Label").fill("no-js script");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page).toHaveURL(/\/account\/tokens$/);
    await expect(page.locator("code.secret")).toHaveText(/^[0-9a-f]{64}$/);
    await expect(page.locator("tr", { hasText: "no-js script" })).toBeVisible();

    await page.reload();
    await expect(page.locator("code.secret")).toHaveCount(0);
    await page.getByRole("button", { name: "Revoke no-js script" }).click();
    await expect(page.getByText("You have no API tokens.")).toBeVisible();
  });
});
