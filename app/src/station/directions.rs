//! Directions to a station: the phone's own maps app through a `geo:` link (RFC 5870, with the
//! station's name as the label Android and most map apps show), and OpenStreetMap's route
//! planner for browsers that have no app for `geo:` (desktops, iPhones).
use leptos::prelude::*;

/// `geo:52.52,13.405?q=52.52,13.405(Downtown%20Station)`.
pub fn geo_link(name: &str, lat: f64, lon: f64) -> String {
    let (lat, lon) = (degrees(lat), degrees(lon));
    format!("geo:{lat},{lon}?q={lat},{lon}({})", percent_encoded(name))
}

/// OpenStreetMap's directions to the point, from wherever the rider's browser is.
pub fn web_link(lat: f64, lon: f64) -> String {
    let (lat, lon) = (degrees(lat), degrees(lon));
    format!("https://www.openstreetmap.org/directions?to={lat}%2C{lon}#map=16/{lat}/{lon}")
}

/// Degrees to 5 decimals (about a metre), trailing zeros dropped. Written by
/// [`crate::ui::fixed`]: a float printer would add kilobytes to the browser's bundle.
fn degrees(v: f64) -> String {
    let text = crate::ui::fixed(v, 5);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every byte but unreserved ones as `%XX` (RFC 3986), so a name never breaks the link.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The two links, for a station card or page.
#[component]
pub fn Directions(name: String, latitude: f64, longitude: f64) -> impl IntoView {
    view! {
        <p class="directions">
            <a href=geo_link(&name, latitude, longitude)>"Directions in my maps app"</a>
            " · "
            <a href=web_link(latitude, longitude) target="_blank" rel="noopener">"on the web"</a>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_point_and_an_encoded_name() {
        assert_eq!(
            geo_link("Café & Co (Nord)", 52.52, 13.405),
            "geo:52.52,13.405?q=52.52,13.405(Caf%C3%A9%20%26%20Co%20%28Nord%29)"
        );
        assert_eq!(geo_link("X", -0.000001, 13.0), "geo:0,13?q=0,13(X)");
        assert_eq!(
            web_link(52.52, 13.405),
            "https://www.openstreetmap.org/directions?to=52.52%2C13.405#map=16/52.52/13.405"
        );
    }
}
