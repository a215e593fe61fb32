import { defineConfig, devices } from "@playwright/test";

// The server under test: the debug binary built by `cargo test`, on a fresh SQLite file loaded
// with the demo data, serving the site built by `cargo leptos build`. On a port of its own, so
// the suite runs beside the app `.ci/serve` runs on 8000 (the spec's client snippets, which
// name localhost:8000, start a server there of their own when it is free: spec-clients.spec.ts).
// The demo's simulated chargers are off here, so flows count packs undisturbed (devices.spec.ts
// runs them).
const PORT = Number(process.env.E2E_PORT ?? 8010);
// No street-map tiles for the suite's servers (the spawned ones inherit this): CI has no
// internet, and a page whose tiles fail logs errors. map.spec.ts serves tiles of its own.
process.env.BATTERY_SWAP_MAP_TILES = "";
// cargo-leptos writes the site under the repo's target/ even when CARGO_TARGET_DIR moves
// compiled artifacts elsewhere.
const TARGET = process.env.CARGO_TARGET_DIR ?? "../target";
// What ships can stand in (.ci/test: the release bundle, with its hash file beside the binary).
const BIN = process.env.E2E_BIN ?? `${TARGET}/debug/battery-swap`;
const SITE = process.env.E2E_SITE ?? "../target/site";
const DB = "../target/e2e.db";
export const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "./tests",
  // Room for a slow hydration (helpers.ts `hydrated`) inside a flow.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: `rm -f ${DB} ${DB}-wal ${DB}-shm && ${BIN} --addr 127.0.0.1:${PORT} --database-url sqlite://${DB} --site-root ${SITE} --demo --demo-charger-rate 0`,
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
