//! Browsers keep the bundle's hashed files for a year and never keep a page: a new build has new
//! file names, so a deploy never serves a stale bundle, and nothing personal sits in a cache.
use crate::support::*;

/// A site folder as `cargo leptos build --release --precompress` leaves it with `hash-files`:
/// hashed names (with precompressed twins), and a file that kept its name.
fn site() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bs-cache-site-{}", std::process::id()));
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(pkg.join("snippets")).unwrap();
    let wasm: Vec<u8> = (0..20_000u32).map(|i| (i % 7) as u8).collect();
    std::fs::write(pkg.join("battery-swap.Xq2v3yGx4mJZbq0wT1d9Kg.wasm"), &wasm).unwrap();
    std::fs::write(
        pkg.join("battery-swap.Xq2v3yGx4mJZbq0wT1d9Kg.wasm.br"),
        b"precompressed by the build",
    )
    .unwrap();
    std::fs::write(pkg.join("battery-swap.aB3-_9zzYYxxWWvvUUttSS.css"), "a{}").unwrap();
    std::fs::write(pkg.join("battery-swap.css"), "a{}").unwrap();
    std::fs::write(pkg.join("snippets").join("x.Xq2v3yGx4mJZbq0wT1d9Kg.js"), "").unwrap();
    dir
}

async fn get(url: String, accept: &str) -> reqwest::Response {
    get_encoded(url, Some(accept)).await
}

fn cache_control(res: &reqwest::Response) -> Option<String> {
    header(res, "cache-control")
}

#[tokio::test]
async fn hashed_files_are_immutable_and_pages_are_not_cached() {
    let mut cfg = config().await;
    cfg.operations.site_root = site().display().to_string();
    let s = start(cfg).await;
    let immutable = Some(battery_swap::IMMUTABLE.to_string());
    assert_eq!(
        battery_swap::IMMUTABLE,
        "public, max-age=31536000, immutable"
    );

    for accept in ["br, gzip", "identity"] {
        let wasm = get(
            http(&s, "/pkg/battery-swap.Xq2v3yGx4mJZbq0wT1d9Kg.wasm"),
            accept,
        )
        .await;
        assert_eq!(wasm.status().as_u16(), 200, "{accept}");
        assert_eq!(cache_control(&wasm), immutable, "{accept}");
    }
    let css = get(
        http(&s, "/pkg/battery-swap.aB3-_9zzYYxxWWvvUUttSS.css"),
        "gzip",
    )
    .await;
    assert_eq!(
        (css.status().as_u16(), cache_control(&css)),
        (200, immutable.clone())
    );

    // Names without a hash may change content under the same name: never immutable.
    for path in [
        "/pkg/battery-swap.css",
        "/pkg/snippets/x.Xq2v3yGx4mJZbq0wT1d9Kg.js",
    ] {
        let res = get(http(&s, path), "gzip").await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert_eq!(cache_control(&res), None, "{path}");
    }
    // A hashed name that is not there is a 404, not a year-long 404.
    let missing = get(
        http(&s, "/pkg/battery-swap.AAAAAAAAAAAAAAAAAAAAAA.wasm"),
        "gzip",
    )
    .await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_ne!(cache_control(&missing), immutable);

    // Pages (and API answers) are never stored.
    let page = get(http(&s, "/"), "gzip").await;
    assert_eq!(
        (page.status().as_u16(), cache_control(&page).as_deref()),
        (200, Some("no-store"))
    );
    let html = get(http(&s, "/"), "identity").await.text().await.unwrap();
    assert!(
        html.contains(r#"<meta name="description""#),
        "pages carry a description for search engines"
    );
}
