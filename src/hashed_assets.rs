//! Static files whose names carry their content hash (`cargo leptos build` with
//! `hash-files = true`): how the server knows it serves them, and the router layer that lets
//! browsers keep them a year.
use axum::http::StatusCode;

/// The file in which cargo-leptos (`hash-files = true`) writes the hashes of the script, wasm
/// and stylesheet names, in the profile's folder where `cargo build` puts the server binary
/// (also with `--frontend-only`, as `.ci/serve` builds); `HydrationScripts` and the page shell
/// read it there.
const HASH_FILE: &str = "hash.txt";

/// Whether the site's file names carry their content hash: the hash file is beside this binary.
/// (A binary with no hash file beside it, such as the integration tests' servers run from
/// `deps/`, serves the plain names.)
pub(crate) fn assets_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)))
        .is_some_and(|file| file.is_file())
}

/// `Cache-Control` of a static file whose name carries its content hash: it never changes (a
/// new build has new names), so browsers keep it a year without asking again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Router layer: marks successful answers for hashed static files [`IMMUTABLE`]. Everything else
/// keeps its own policy: pages and API answers `no-store`, other static files revalidated.
pub(crate) async fn cache_hashed_assets(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    if hashed && res.status() == StatusCode::OK {
        res.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static(IMMUTABLE),
        );
    }
    res
}

/// `/pkg/<name>.<hash>.<ext>`, as cargo-leptos renames the files of the bundle: the hash is the
/// file's MD5 in unpadded base64url (22 characters). `pkg/snippets/…` keep their names.
fn is_hashed_asset(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let parts: Vec<&str> = name.split('.').collect();
    !name.contains('/')
        && parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && part.bytes().any(|b| b != b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn only_hashed_bundle_files_are_immutable() {
        for hashed in [
            "/pkg/battery-swap.Xq2v3yGx4mJZbq0wT1d9Kg.wasm",
            "/pkg/battery-swap.Xq2v3yGx4mJZbq0wT1d9Kg.js",
            "/pkg/battery-swap.a-b_c123456789012345AB.css",
            "/pkg/__wasm_split.Xq2v3yGx4mJZbq0wT1d9Kg.js",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/stations/1",
            "/favicon.svg",
            "/pkg/battery-swap.wasm",
            "/pkg/battery-swap.css",
            "/pkg/__wasm_split.______________________.js",
            "/pkg/snippets/x.Xq2v3yGx4mJZbq0wT1d9Kg.js",
            "/api/Xq2v3yGx4mJZbq0wT1d9Kg.x",
            "/pkg/short.abc.wasm",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }
}
