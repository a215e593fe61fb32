import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { healthy, ownServer, stop } from "./helpers";

// The client snippets of shared/spec/websocket-api.md, taken from the spec itself and run
// unchanged against a server of these tests' own at localhost:8000, the address they name. The
// spec sits beside the repository (as in CI); the project carries no copy, so on a bare clone
// these tests are skipped, saying why. The rest of the suite uses ports of its own, so it
// passes beside the app `.ci/serve` runs on 8000; only these two then wait for another run.
const SPEC = [resolve(__dirname, "../../../shared/spec/websocket-api.md"), resolve(__dirname, "../../shared/spec/websocket-api.md")].find(existsSync);
test.skip(!SPEC, "shared/spec/websocket-api.md is not beside the repository (a bare clone): the spec's own client snippets cannot run");

const SPEC_PORT = 8000;
const DB = "../target/e2e-spec.db";
test.use({ baseURL: `http://127.0.0.1:${SPEC_PORT}` });

/** Whether nothing listens on 127.0.0.1:`port`. */
function free(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const probe = createServer();
    probe.once("error", () => answer(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => answer(true)));
  });
}

let server: ChildProcess | undefined;
test.beforeAll(async () => {
  test.skip(!(await free(SPEC_PORT)), `port ${SPEC_PORT} is taken (the app .ci/serve runs?): the spec's snippets connect to localhost:${SPEC_PORT} only, so they run when it is free`);
  for (const f of [DB, `${DB}-wal`, `${DB}-shm`]) rmSync(f, { force: true });
  server = ownServer(SPEC_PORT, DB);
  await healthy(SPEC_PORT);
});
test.afterAll(async () => {
  if (server) await stop(server);
});

function snippet(heading: string, lang: string): string {
  const md = readFileSync(SPEC!, "utf8");
  const at = md.indexOf(heading);
  expect(at, `heading ${heading} in the spec`).toBeGreaterThan(-1);
  const start = md.indexOf("```" + lang + "\n", at) + lang.length + 4;
  return md.slice(start, md.indexOf("```", start));
}

async function bookAtDowntown(request: import("@playwright/test").APIRequestContext) {
  const login = await request.post("/api/login", { form: { email: "rider2@example.com", password: "battery-swap-demo" } });
  expect(login.status()).toBe(200);
  const booked = await request.post("/api/book_battery", { form: { station_id: "1" } });
  expect(booked.status()).toBe(200);
  const cancel = await request.post("/api/cancel_booking", { form: { booking_id: String((await booked.json()).id) } });
  expect(cancel.status()).toBe(200);
}

test("the spec's Python client runs unchanged", async ({ request }) => {
  const code = snippet("### Using Python (for testing)", "python");
  const py = spawn("python3", ["-u", "-c", code]);
  let out = "";
  const seen = (re: RegExp) =>
    new Promise<void>((ok, fail) => {
      const check = () => (re.test(out) ? ok() : undefined);
      py.stdout.on("data", (d) => { out += d; check(); });
      py.on("exit", (c) => fail(new Error(`python exited ${c}: ${out}`)));
      check();
    });
  try {
    await seen(/Received: .*"type": ?"connection_established"/);
    await seen(/Response: .*"type": ?"pong".*"timestamp": ?"2024-02-27T10:30:00"/);
    await bookAtDowntown(request);
    await seen(/Update: .*'type': 'battery_booked'/);
    await seen(/Update: .*'type': 'inventory_update'.*'action': 'update'/);
  } finally {
    py.kill();
  }
});

test("the spec's browser-console snippet runs unchanged", async ({ page, request }) => {
  // What the console prints, with logged objects as JSON.
  const logs: string[] = [];
  page.on("console", async (m) => {
    const parts = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => "?")));
    logs.push(parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" "));
  });
  await page.goto("/");
  // Typed into a console in two steps, as a person would: connect, then (once connected) ping.
  // Each evaluate is its own scope, so the snippet's top-level `const ws` becomes a global.
  const code = snippet("### Using Browser Console", "javascript").replace(/^const ws =/m, "window.ws =");
  const [connect, ping] = code.split("// Send ping");
  await page.evaluate(connect);
  await expect.poll(() => logs).toContain("Connected");
  await expect.poll(() => logs.join("\n")).toMatch(/Message: \{"type":"connection_established"/);
  await page.evaluate(ping);
  await expect.poll(() => logs.join("\n")).toMatch(/Message: \{"type":"pong","timestamp":"\d{4}-/);
  await bookAtDowntown(request);
  await expect.poll(() => logs.join("\n")).toMatch(/Message: \{"type":"battery_booked"/);
});
