//! `/sw.js`: the service worker (`service_worker.js`, issue #31), with this build's constants
//! before it. Served by the server rather than from `public/`, so that the worker names this
//! build's bundle files and changes with them: browsers compare the script byte for byte, so a
//! new deploy installs a new worker, which drops the previous build's files.
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use leptos::config::LeptosOptions;
use std::hash::{Hash, Hasher};

const WORKER: &str = include_str!("service_worker.js");

/// The files the worker fetches when it installs, beside the bundle's: what the rider's pages
/// need offline, the street map included.
const SHELL: &[&str] = &[
    "/favicon.svg",
    "/manifest.webmanifest",
    "/icons/icon-192.png",
    "/map/map.js",
    "/map/map.css",
    "/map/leaflet-1.9.4/leaflet.js",
    "/map/leaflet-1.9.4/leaflet.css",
    "/locate.js",
    "/push.js",
];

/// `GET /sw.js`. Revalidated on every check (`no-cache`): an old worker must never be what the
/// browser compares a new deploy's against.
pub(crate) async fn script(State(options): State<LeptosOptions>) -> impl IntoResponse {
    let bundle = app::assets::bundle_files(&options);
    // Whether the names carry content hashes: the server found the build's hash file at start.
    let hashed = options.hash_files;
    let version = version(&bundle, hashed);
    let shell: Vec<&str> = bundle
        .iter()
        .map(String::as_str)
        .chain(SHELL.iter().copied())
        .collect();
    let body = format!(
        "const VERSION = {};\nconst SHELL = {};\nconst HASHED = {hashed};\n\n{WORKER}",
        serde_json::Value::from(version),
        serde_json::Value::from(shell),
    );
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

/// This build's version: its bundle's hashed names and the worker's own code; a build without
/// hashed names (development) is a new version each time the server starts.
fn version(bundle: &[String; 3], hashed: bool) -> String {
    static STARTED: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let mut hasher = std::hash::DefaultHasher::new();
    bundle.hash(&mut hasher);
    WORKER.hash(&mut hasher);
    SHELL.hash(&mut hasher);
    if !hashed {
        let started = STARTED.get_or_init(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        });
        started.hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}
