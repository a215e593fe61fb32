// What the measuring scripts (lighthouse.mjs, slow-phone.mjs) share: their command-line
// options, the release server they start on a fresh demo database (or the one `--url` names),
// and the median they print.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);

/** The value after `name` on the command line, or `fallback`. */
export const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitHealthy(base, server) {
  for (let i = 0; i < 300; i++) {
    if (server && server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not become healthy`);
}

/**
 * The server to measure: `--url` if given, else the release binary (`--bin`, default
 * `$CARGO_TARGET_DIR/release/battery-swap`) serving `--site` (default `../target/site`) on
 * `addr`, on a fresh SQLite demo database in a temporary directory named after `name`.
 * Returns `{ base, stop }`.
 */
export async function measuredServer(name, addr) {
  const given = option("--url", null);
  if (given) return { base: given.replace(/\/$/, ""), stop: async () => {} };
  const target = process.env.CARGO_TARGET_DIR ?? "../target";
  const bin = option("--bin", `${target}/release/battery-swap`);
  const site = option("--site", "../target/site");
  const dir = mkdtempSync(join(tmpdir(), `bs-${name}-`));
  const server = spawn(
    bin,
    ["--addr", addr, "--database-url", `sqlite://${dir}/${name}.db`, "--site-root", site, "--demo"],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  const base = `http://${addr}`;
  await waitHealthy(base, server);
  return {
    base,
    stop: async () => {
      server.kill("SIGTERM");
      await new Promise((r) => (server.exitCode !== null ? r() : server.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
