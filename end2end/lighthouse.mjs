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
// both with `.ci/serve` first (its release bundle is built with size settings of its own:
// `build_release_bundle` in `.ci/setup`). Chromium
// is Debian's (`CHROME_PATH`, default /usr/bin/chromium).
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { measuredServer, median, option } from "./measure-server.mjs";

const runs = Number(option("--runs", "3"));
const PAGES = ["/", "/stations/1"];

const server = await measuredServer("lighthouse", "127.0.0.1:8003");
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
