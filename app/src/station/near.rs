//! Near me: how far a station is from the rider and roughly how long the ride takes, for
//! `/api/nearby` and the directory's `/?near=…` (both on the server), and the texts the
//! browser shows for the distances the server measured.
use serde::{Deserialize, Serialize};

use super::StationSummary;

/// A point as latitude and longitude in degrees.
pub type Point = (f64, f64);

/// The mean Earth radius: distances are great-circle distances on a sphere, within 0.5 % of
/// the ellipsoid's, far finer than a rider can ride.
const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// The estimate's speed: an electric scooter in town, stops and lights included. Stated as an
/// estimate wherever a time is shown: the road is longer than the straight line.
pub const RIDE_KMH: f64 = 18.0;

/// Straight-line distance in metres (haversine).
pub fn distance_m(a: Point, b: Point) -> f64 {
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let d_lat = la2 - la1;
    let d_lon = (b.1 - a.1).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Minutes of riding at [`RIDE_KMH`], at least 1.
pub fn ride_minutes(distance_m: f64) -> u32 {
    let minutes = distance_m / (RIDE_KMH * 1000.0 / 60.0);
    (minutes.ceil() as u32).max(1)
}

/// "350 m", "1.2 km", "14 km".
pub fn distance_text(distance_m: f64) -> String {
    if distance_m < 1000.0 {
        format!("{} m", (distance_m / 10.0).round() as u32 * 10)
    } else if distance_m < 10_000.0 {
        format!("{} km", crate::ui::fixed(distance_m / 1000.0, 1))
    } else {
        format!("{} km", (distance_m / 1000.0).round() as u32)
    }
}

/// Whether `(lat, lon)` is a point on Earth.
pub fn valid(p: Point) -> bool {
    p.0.is_finite()
        && p.1.is_finite()
        && (-90.0..=90.0).contains(&p.0)
        && (-180.0..=180.0).contains(&p.1)
}

/// "52.52, 13.405" (or with a space or semicolon between) as a point, if it is one.
pub fn parse_point(text: &str) -> Option<Point> {
    let mut parts = text
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let lat = parts.next()?.parse().ok()?;
    let lon = parts.next()?.parse().ok()?;
    let point = (lat, lon);
    (parts.next().is_none() && valid(point)).then_some(point)
}

/// Where the rider asked to be near, from the no-JavaScript form's text: coordinates, or the
/// first station whose name or address contains the text (a place riders know by its station).
pub fn resolve_place(text: &str, stations: &[StationSummary]) -> Option<(Point, String)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(p) = parse_point(text) {
        return Some((p, format!("{:.4}, {:.4}", p.0, p.1)));
    }
    let needle = text.to_lowercase();
    stations
        .iter()
        .find(|s| {
            s.name.to_lowercase().contains(&needle) || s.address.to_lowercase().contains(&needle)
        })
        .map(|s| ((s.latitude, s.longitude), s.name.clone()))
}

/// A station of `/api/nearby`'s answer: the station with its distance from the asked point.
/// Nested, not flattened: `#[serde(flatten)]` made the browser's decoder of a station page's
/// props 47 KB (gzipped) larger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyStation {
    pub station: StationSummary,
    /// Straight-line metres from the asked point.
    pub distance_m: u32,
    /// Minutes of riding at 18 km/h: an estimate.
    pub ride_minutes: u32,
}

impl NearbyStation {
    pub fn new(station: StationSummary, from: Point) -> NearbyStation {
        let d = distance_m(from, (station.latitude, station.longitude));
        NearbyStation {
            station,
            distance_m: d.round() as u32,
            ride_minutes: ride_minutes(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_great_circle_metres() {
        // Berlin Hauptbahnhof to Alexanderplatz: 2.9 km in a straight line.
        let d = distance_m((52.5251, 13.3694), (52.5219, 13.4132));
        assert!((2950.0..3000.0).contains(&d), "{d}");
        assert_eq!(distance_m((10.0, 20.0), (10.0, 20.0)), 0.0);
        // Half the world round: never NaN.
        assert!(distance_m((0.0, 0.0), (0.0, 180.0)).is_finite());
    }

    #[test]
    fn ride_times_and_texts() {
        assert_eq!(ride_minutes(0.0), 1);
        assert_eq!(ride_minutes(3000.0), 10);
        assert_eq!(distance_text(347.0), "350 m");
        assert_eq!(distance_text(1234.0), "1.2 km");
        assert_eq!(distance_text(14_400.0), "14 km");
    }

    #[test]
    fn points_are_parsed_and_checked() {
        assert_eq!(parse_point("52.52, 13.405"), Some((52.52, 13.405)));
        assert_eq!(parse_point("52.52 13.405"), Some((52.52, 13.405)));
        assert_eq!(parse_point("91, 0"), None);
        assert_eq!(parse_point("52.52"), None);
        assert_eq!(parse_point("1, 2, 3"), None);
        assert_eq!(parse_point("NaN, 1"), None);
        assert_eq!(parse_point("Downtown"), None);
    }
}
