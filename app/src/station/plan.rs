//! The plan view: every station as a numbered marker placed by latitude and longitude, the
//! numbers matching the list below it.
//!
//! Numbers, not names, on the plan: names overlapped each other and their dots at the demo
//! positions and shrank to ~7 px at phone width. A marker is a link whose accessible name says
//! the station, its packs and its status, so the plan works by keyboard and screen reader.
use leptos::prelude::*;

use super::StationSummary;
use crate::ui::svg_number;

/// The plan's size in SVG units; markers are sized so that their numbers stay ~12 px or more
/// on a phone-wide plan.
const W: f64 = 100.0;
const H: f64 = 56.0;
const PAD: f64 = 6.0;
const R: f64 = 4.0;
/// Markers are pushed apart until their centres are at least this far apart.
const MIN_GAP: f64 = 2.0 * R + 1.0;

/// Marker centres for `stations`: placed by position within the network's bounds, then pushed
/// apart where they would overlap. Deterministic, so server and browser draw the same plan.
///
/// The last placement is kept, by the positions it started from: pushing 100 markers apart is
/// up to 50 rounds of ~5,000 pairs (a tenth of the server's time for `/`), and the plan is drawn
/// again for every request and, in the browser, for every live count change, while stations
/// themselves rarely move.
pub fn place(stations: &[StationSummary]) -> Vec<(f64, f64)> {
    use std::sync::Mutex;
    type Placement = (Vec<(u64, u64)>, Vec<(f64, f64)>);
    static LAST: Mutex<Option<Placement>> = Mutex::new(None);
    let start = by_position(stations);
    let key: Vec<(u64, u64)> = start
        .iter()
        .map(|(x, y)| (x.to_bits(), y.to_bits()))
        .collect();
    if let Ok(last) = LAST.lock()
        && let Some((from, placed)) = last.as_ref()
        && *from == key
    {
        return placed.clone();
    }
    let placed = push_apart(start);
    if let Ok(mut last) = LAST.lock() {
        *last = Some((key, placed.clone()));
    }
    placed
}

/// Each station's spot on the plan by latitude and longitude, before any pushing apart.
fn by_position(stations: &[StationSummary]) -> Vec<(f64, f64)> {
    let (mut lat0, mut lat1, mut lng0, mut lng1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in stations {
        (lat0, lat1) = (lat0.min(s.latitude), lat1.max(s.latitude));
        (lng0, lng1) = (lng0.min(s.longitude), lng1.max(s.longitude));
    }
    let span = |a: f64, b: f64| if (b - a).abs() < 1e-9 { 1.0 } else { b - a };
    stations
        .iter()
        .map(|s| {
            let x = PAD + (s.longitude - lng0) / span(lng0, lng1) * (W - 2.0 * PAD);
            let y = PAD + (lat1 - s.latitude) / span(lat0, lat1) * (H - 2.0 * PAD);
            (x, y)
        })
        .collect()
}

/// Pushes overlapping markers apart, pair by pair, for at most 50 rounds.
fn push_apart(mut at: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    for _ in 0..50 {
        let mut moved = false;
        for i in 0..at.len() {
            for j in i + 1..at.len() {
                let (dx, dy) = (at[j].0 - at[i].0, at[j].1 - at[i].1);
                let d = (dx * dx + dy * dy).sqrt();
                if d >= MIN_GAP {
                    continue;
                }
                // Same spot: part them sideways, in index order.
                let (ux, uy) = if d < 1e-6 {
                    (1.0, 0.0)
                } else {
                    (dx / d, dy / d)
                };
                let push = (MIN_GAP - d) / 2.0 + 0.01;
                at[i] = clamp((at[i].0 - ux * push, at[i].1 - uy * push));
                at[j] = clamp((at[j].0 + ux * push, at[j].1 + uy * push));
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    at
}

fn clamp((x, y): (f64, f64)) -> (f64, f64) {
    (x.clamp(R, W - R), y.clamp(R, H - R))
}

/// The plan, drawn by the server as the page is served (a child of the directory's island,
/// so none of its code is in the browser's bundle): the fallback until a live street map
/// replaces it. The list below it is the live part.
#[component]
pub fn PlanView(
    /// The stations of the list, in its order: marker `n` is the list's `n`th station.
    stations: Vec<StationSummary>,
) -> impl IntoView {
    if stations.is_empty() {
        return None;
    }
    let at = place(&stations);
    let markers = stations
        .into_iter()
        .zip(at)
        .enumerate()
        .map(|(i, (station, (x, y)))| view! { <Marker number=i + 1 station x y/> })
        .collect_view();
    Some(view! {
        <figure class="plan">
            <svg viewBox="0 0 100 56" role="group" aria-label="Plan of the stations by location">
                {markers}
            </svg>
            <figcaption>"Plan view as the page was served: numbers match the list below. Filled: online; hollow: offline or in maintenance."</figcaption>
        </figure>
    })
}

#[component]
fn Marker(number: usize, station: StationSummary, x: f64, y: f64) -> impl IntoView {
    let status = station.status.as_str();
    let label = format!(
        "{number}. {}: {} available, {status}",
        station.name, station.counts.available
    );
    view! {
        <a href=format!("/stations/{}", station.id) aria-label=label>
            <circle cx=svg_number(x) cy=svg_number(y) r=svg_number(R)
                class=format!("dot dot-{status}")/>
            <text x=svg_number(x) y=svg_number(y + 1.4) text-anchor="middle" aria-hidden="true">{number}</text>
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::station::{StationCounts, StationStatus};

    fn at(lat: f64, lng: f64) -> StationSummary {
        StationSummary {
            id: 0,
            name: String::new(),
            address: String::new(),
            latitude: lat,
            longitude: lng,
            status: StationStatus::Online,
            status_message: String::new(),
            counts: StationCounts::default(),
            available_by_model: Default::default(),
            version: 0,
        }
    }

    #[test]
    fn markers_never_overlap_and_stay_on_the_plan() {
        // The demo's positions, two stations at the same spot, and one a hair away.
        let stations = [
            at(52.5200, 13.4050),
            at(52.5110, 13.3900),
            at(52.5300, 13.3800),
            at(52.5600, 13.2900),
            at(52.4950, 13.4400),
            at(52.5200, 13.4050),
            at(52.5201, 13.4051),
        ];
        let placed = place(&stations);
        // Kept, and never served for other positions.
        assert_eq!(place(&stations), placed);
        assert_eq!(
            place(&stations[..2]),
            push_apart(by_position(&stations[..2]))
        );
        assert_eq!(place(&stations), placed);
        for (i, a) in placed.iter().enumerate() {
            assert!((R..=W - R).contains(&a.0) && (R..=H - R).contains(&a.1));
            for b in &placed[i + 1..] {
                let d = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
                assert!(d >= 2.0 * R, "markers {a:?} and {b:?} overlap");
            }
        }
    }
}
