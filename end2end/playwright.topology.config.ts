import { defineConfig, devices } from "@playwright/test";

// The deployed topology (`.ci/topology` starts it): nginx with TLS at https://localhost:8443 in
// front of two instances on one PostgreSQL database. Its certificate is made for the test, so
// the browser is told to accept it; everything else is as a rider's browser sees it.
export default defineConfig({
  testDir: "./topology",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: "https://localhost:8443",
    ignoreHTTPSErrors: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
});
