//! The street map over the station directory (`/`): the server renders its box, with the
//! tiles to draw and what the rider may do from a marker, around the plan view; once the page
//! is interactive, `public/map/map.js` loads Leaflet and draws the map in the plan's place.
//!
//! The map is plain JavaScript outside the wasm bundle, fetched after the page is interactive,
//! so it costs the first load nothing. Its markers are the list's cards (`li.station-card`,
//! their `geo:` link, name, status and counts): the list's island keeps them live from the
//! feed, and the map follows the cards' changes. So the map shows what the list shows, filters
//! included, live, with no connection of its own. Without JavaScript the plan view stays.
use leptos::prelude::*;

use crate::booking::api::BookBattery;
use leptos::server_fn::ServerFn;

/// Whose tiles the map draws (`--map-tiles`, `--map-attribution`). An empty `url`: no tiles.
#[derive(Clone, Debug, Default)]
pub struct MapTiles {
    pub url: String,
    pub attribution: String,
}

/// The scheme and host a tile template fetches from, as a Content-Security-Policy source:
/// `https://tile.openstreetmap.org`, or `https://*.tiles.example` for a `{s}` subdomain.
pub fn tile_origin(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    if !matches!(scheme, "https" | "http") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.replace("{s}", "*");
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'));
    valid.then(|| format!("{scheme}://{host}"))
}

/// The map's box, holding `children` (the plan view) until the map replaces them. `near`: the
/// point the list is sorted from, marked on the map; `pack`: the rider's model, whose packs
/// the markers count; `signed_in`: whether a marker's card offers Book.
#[component]
pub fn StationMap(
    near: Option<(f64, f64)>,
    pack: Option<String>,
    signed_in: bool,
    children: Children,
) -> impl IntoView {
    let tiles = use_context::<MapTiles>().unwrap_or_default();
    view! {
        <div class="station-map" id="station-map" data-tiles=tiles.url
            data-attribution=tiles.attribution
            data-near=near.map(|(lat, lon)| format!("{lat:.5},{lon:.5}"))
            data-pack=pack
            data-book=signed_in.then(BookBattery::url)>
            {children()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_admits_the_tiles_host_only() {
        let origin = |t| tile_origin(t);
        assert_eq!(
            origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            origin("https://{s}.tiles.example:8443/{z}/{x}/{y}.png?key=1").as_deref(),
            Some("https://*.tiles.example:8443")
        );
        assert_eq!(origin("data:{z}{x}{y}"), None);
        assert_eq!(origin("https:///{z}/{x}/{y}"), None);
        assert_eq!(origin("https://a b/{z}"), None);
    }
}
