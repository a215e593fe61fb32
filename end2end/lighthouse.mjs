// Lighthouse (npm lighthouse@12.2.3, pinned in package.json) on a rider's pages, with its default
// mobile settings: a simulated slow 4G network and a 4x slower CPU. Prints the performance,
// largest contentful paint, time to interactive and SEO of `/` and `/stations/1`. Figures, not
// assertions: the README states them.
//
//   node lighthouse.mjs                        starts the release server itself (port 8003)
//   ... --bin PATH --site DIR                 another server binary and built site
//   node lighthouse.mjs --url http://host:port  measures a server already running
//   node lighthouse.mjs --runs 5               runs per page (default 3; the median is printed)
//
// The release server is `$CARGO_TARGET_DIR/release/battery-swap` serving `../target/site`: build
// both with `.ci/serve` (or `cargo leptos build --release --precompress --split`) first. Chromium
// is Debian's (`CHROME_PATH`, default /usr/bin/chromium).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const runs = Number(option("--runs", "3"));
const PAGES = ["/", "/stations/1"];

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

async function startServer() {
  const target = process.env.CARGO_TARGET_DIR ?? "../target";
  const bin = option("--bin", `${target}/release/battery-swap`);
  const site = option("--site", "../target/site");
  const dir = mkdtempSync(join(tmpdir(), "bs-lighthouse-"));
  const addr = "127.0.0.1:8003";
  const server = spawn(
    bin,
    ["--addr", addr, "--database-url", `sqlite://${dir}/lh.db`, "--site-root", site, "--demo"],
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const given = option("--url", null);
const server = given ? { base: given.replace(/\/$/, ""), stop: async () => {} } : await startServer();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
try {
  console.log(`Lighthouse 12.2.3, mobile (simulated slow 4G, 4x CPU slowdown), ${runs} runs per page, median:`);
  console.log("page            performance   LCP (s)   TTI (s)   SEO   a11y   best practices   transferred (KiB)");
  for (const page of PAGES) {
    const results = [];
    for (let i = 0; i < runs; i++) {
      const { lhr } = await lighthouse(`${server.base}${page}`, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance", "seo", "accessibility", "best-practices"],
      });
      if (lhr.runtimeError) throw new Error(`${page}: ${lhr.runtimeError.message}`);
      results.push(lhr);
    }
    const score = (id) => median(results.map((r) => Math.round((r.categories[id].score ?? 0) * 100)));
    const audit = (id) => median(results.map((r) => r.audits[id].numericValue ?? NaN));
    console.log(
      [
        page.padEnd(15),
        String(score("performance")).padStart(11),
        (audit("largest-contentful-paint") / 1000).toFixed(1).padStart(9),
        (audit("interactive") / 1000).toFixed(1).padStart(9),
        String(score("seo")).padStart(5),
        String(score("accessibility")).padStart(6),
        String(score("best-practices")).padStart(16),
        (audit("total-byte-weight") / 1024).toFixed(0).padStart(19),
      ].join(" "),
    );
  }
} finally {
  await chrome.kill();
  await server.stop();
}
