//! The bundle's files and how a page loads them: the stylesheet's address, and the script that
//! fetches and starts the wasm once the page has painted (issue #15).
use leptos::prelude::*;

/// Loads the bundle and hydrates the page's islands once the page has painted (its first
/// contentful paint): the script and the wasm are then fetched side by side. Leptos' own
/// `HydrationScripts` preloads both from the `<head>` instead; even at low priority, the wasm
/// is then part of what the first paint competes with, and Lighthouse's simulated phone counts
/// it into the largest paint (3 s instead of 0.9). Every form works without JavaScript until
/// hydration.
#[component]
pub fn HydrateAfterPaint(options: LeptosOptions) -> impl IntoView {
    // Called for what it sets up, not rendered: islands mode for the rest of the page (only
    // islands are rendered with hydration markers) and the lazy islands' chunk manifest
    // (`WasmSplitManifest`), from which the server writes their `modulepreload`s.
    let _ = HydrationScripts(
        HydrationScriptsProps::builder()
            .options(options.clone())
            .islands(true)
            .build(),
    );
    let [js, wasm, _] = bundle_files(&options);
    let nonce = leptos::nonce::use_nonce();
    view! {
        <script type="module" nonce=nonce>
            {format!("({LOADER})({js:?}, {wasm:?})")}
        </script>
    }
}

/// The loader, called with the script's and the wasm's addresses. A page that never paints (a
/// tab opened in the background) still hydrates 3 s after `load`; a browser without paint
/// timing, at `load`. It hydrates each `<leptos-island>` in document order with the export
/// named by its `data-component` (a lazy island's returns a promise: its code is a chunk of its
/// own), then tells the bundle the page is done (`islands_hydrated`). A page without islands
/// fetches nothing. Either way the page is then marked `data-hydrated`, which end-to-end tests
/// (and curious humans) wait for; then a page with "Use my location", a street map, a push switch, the console's counter or
/// labels to print loads its code (`crate::station::directory`, `crate::station::map`,
/// `crate::push`, `crate::booking::counter`, `crate::station::labels`),
/// and the service worker (`/sw.js`, the server's) is registered, so
/// that nothing of it competes with the page's own first load.
const LOADER: &str = r#"function (js, wasm) {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    const done = () => {
      document.documentElement.setAttribute("data-hydrated", "");
      for (const [id, code] of [["locate", "/locate.js"], ["station-map", "/map/map.js"], ["push-device", "/push.js"], ["counter", "/scan/scan.js"], ["print-labels", "/print.js"]]) {
        if (document.getElementById(id)) import(code).catch(console.warn);
      }
      if (navigator.serviceWorker) navigator.serviceWorker.register("/sw.js").catch(console.warn);
    };
    // A copy the service worker showed offline: the real page, once the server answers again
    // (asked when the browser says it is online, and every 5 s, as that can come first).
    const back = () => document.getElementById("offline-note")?.dataset.why === "offline" &&
      fetch("/healthz", { cache: "no-store" }).then((r) => r.ok && location.reload(), () => {});
    addEventListener("online", back);
    setInterval(back, 5000);
    const islands = document.querySelectorAll("leptos-island");
    if (!islands.length) return done();
    const module_or_path = fetch(wasm);
    import(js).then(m => m.default({ module_or_path }).then(async () => {
      m.hydrate();
      for (const el of islands) {
        const island = m[el.dataset.component];
        if (island) await island(el);
        else console.error("no code for the island", el.dataset.component);
      }
      m.islands_hydrated();
      done();
    }));
  };
  const timed = !!window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).includes("paint");
  if (timed) {
    new PerformanceObserver((list, observer) => {
      if (list.getEntriesByName("first-contentful-paint").length) {
        observer.disconnect();
        start();
      }
    }).observe({ type: "paint", buffered: true });
  }
  addEventListener("load", () => setTimeout(start, timed ? 3000 : 0), { once: true });
}"#;

/// The bundle's script, wasm and stylesheet addresses: what the loader fetches, and what the
/// service worker keeps.
pub fn bundle_files(options: &LeptosOptions) -> [String; 3] {
    ["js", "wasm", "css"].map(|kind| address(options, kind))
}

/// The stylesheet's address.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    address(options, "css")
}

/// The address of the bundle's `kind` file: `/pkg/battery-swap.css` (`.js`, `.wasm`), or its
/// hashed name when the build hashed the file names (`hash-files`; the names are in the hash
/// file cargo-leptos writes beside the server binary).
fn address(options: &LeptosOptions, kind: &str) -> String {
    let pkg = &options.site_pkg_dir;
    let name = &options.output_name;
    match hashed_name(options, kind) {
        Some(hash) => format!("/{pkg}/{name}.{hash}.{kind}"),
        None => format!("/{pkg}/{name}.{kind}"),
    }
}

/// The hash of the `kind` file (`css`, `js`, `wasm`) in the build's hash file, read once.
fn hashed_name(options: &LeptosOptions, kind: &str) -> Option<String> {
    use std::sync::OnceLock;
    static HASHES: OnceLock<Option<String>> = OnceLock::new();
    if !options.hash_files {
        return None;
    }
    let hashes = HASHES.get_or_init(|| {
        let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
        std::fs::read_to_string(dir.join(options.hash_file.as_ref())).ok()
    });
    hashes.as_deref()?.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == kind).then(|| hash.trim().to_string())
    })
}
