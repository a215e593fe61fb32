//! The station page's "when to come" chart: available packs over the last hours as a step
//! line (server-rendered SVG, extended by the live feed), the usual count at those times of
//! the week dashed, and the same in words and as a table, so it reads without JavaScript and
//! without sight.
use leptos::prelude::*;

use super::history::AvailabilityHistory;
use crate::feed::now_ms;
use crate::ui::{LocalTime, svg_number};

/// The chart's size in SVG units.
const W: f64 = 240.0;
const H: f64 = 60.0;
const TOP: f64 = 4.0;

/// Seconds relative to the server's `until` (negative: before), and the count from then on.
type Point = (i64, u32);

#[component]
pub fn AvailabilityChart(
    history: AvailabilityHistory,
    /// The live available count: each change extends the line.
    #[prop(into)]
    live: Signal<u32>,
) -> impl IntoView {
    let h = StoredValue::new(history.clone());
    let until_ms = parse_ms(&history.until);
    // Changes seen live since the page hydrated (none during SSR, so hydration matches).
    let extra = RwSignal::new(Vec::<Point>::new());
    Effect::new(move |before: Option<u32>| {
        let now = live.get();
        if before.is_some_and(|b| b != now) {
            let at = ((now_ms() - until_ms) / 1000.0).max(0.0) as i64;
            extra.update(|e| e.push((at, now)));
        }
        now
    });
    let points = move || {
        let mut all: Vec<Point> = h.with_value(|h| {
            h.points
                .iter()
                .map(|&(ago, n)| (-i64::from(ago), n))
                .collect()
        });
        all.extend(extra.get());
        all
    };
    let window = i64::from(history.hours) * 3600;
    // The window ends at the latest live change (the server's `until` before any).
    let end = move || extra.with(|e| e.last().map_or(0, |p| p.0));
    let scale = move || {
        let top = points().iter().map(|p| p.1).max().unwrap_or(0);
        f64::from(top.max(h.with_value(|h| h.scale)).max(1))
    };
    let actual = move || step_path(&points(), end() - window, window, scale());
    let usual = move || {
        let (start, scale) = (end() - window, scale());
        h.with_value(|h| usual_path(h, start, window, scale))
    };
    let summary = summary_words(&history);
    let lowest = history.usually_lowest().map(|(hour, n)| {
        let at = history.hour_starts.get(hour).cloned().unwrap_or_default();
        view! { " Usually fewest from " <LocalTime iso=at/> " (about " {n} ")." }
    });
    view! {
        <figure class="history">
            <svg viewBox="0 0 240 60" role="img" aria-labelledby="history-words" preserveAspectRatio="none">
                <path class="usually" d=usual/>
                <path class="actual" d=actual/>
            </svg>
            <div class="history-axis" aria-hidden="true">
                <span>{format!("{} h ago", history.hours)}</span><span>"now"</span>
            </div>
            <figcaption id="history-words">{summary} {lowest}</figcaption>
            <details>
                <summary>"As a table"</summary>
                <HourTable history=history.clone()/>
            </details>
        </figure>
    }
}

/// One row per hour: the count at its end, and what is usual then.
#[component]
fn HourTable(history: AvailabilityHistory) -> impl IntoView {
    let rows = (0..history.hours)
        .map(|i| {
            let ago = history.hours - i - 1;
            let at = at_or_before(&history.points, ago * 3600);
            let usual = history.usually.get(i as usize).copied().flatten();
            let iso = history
                .hour_starts
                .get(i as usize)
                .cloned()
                .unwrap_or_default();
            view! {
                <tr>
                    <td><LocalTime iso/></td>
                    <td>{at.map_or("–".to_string(), |n| n.to_string())}</td>
                    <td>{usual.map_or("–".to_string(), |n| n.to_string())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="history-table">
            <thead><tr><th scope="col">"Hour from"</th><th scope="col">"Available at its end"</th><th scope="col">"Usually"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The count `ago` seconds before `until`: the last point at or before then.
fn at_or_before(points: &[(u32, u32)], ago: u32) -> Option<u32> {
    points.iter().rev().find(|p| p.0 >= ago).map(|p| p.1)
}

fn summary_words(h: &AvailabilityHistory) -> String {
    match (h.range(), h.points.last()) {
        (Some((low, high)), Some(&(_, now))) => format!(
            "Available packs over the last {} hours: {now} now, {low} at the fewest, {high} at \
             the most. The dashed line is what is usual at that time of the week.",
            h.hours
        ),
        _ => "No history yet: the chart starts with the next change.".to_string(),
    }
}

fn x(t: i64, start: i64, window: i64) -> f64 {
    ((t - start) as f64 / window as f64 * W).clamp(0.0, W)
}

fn y(n: u32, scale: f64) -> f64 {
    TOP + (1.0 - f64::from(n) / scale) * (H - TOP)
}

/// A step line through `points` from `start` over `window` seconds, to the window's end.
fn step_path(points: &[Point], start: i64, window: i64, scale: f64) -> String {
    let Some(first) = points.first() else {
        return String::new();
    };
    let mut d = format!(
        "M{} {}",
        svg_number(x(first.0, start, window)),
        svg_number(y(first.1, scale))
    );
    for &(t, n) in &points[1..] {
        d += &format!(
            "H{}V{}",
            svg_number(x(t, start, window)),
            svg_number(y(n, scale))
        );
    }
    d + &format!("H{}", svg_number(W))
}

/// The usual counts, hour by hour, as level segments (gaps where there is no history).
fn usual_path(h: &AvailabilityHistory, start: i64, window: i64, scale: f64) -> String {
    let hours = i64::from(h.hours);
    let mut d = String::new();
    for (i, usual) in h.usually.iter().enumerate() {
        let Some(n) = usual else { continue };
        let from = -(hours - i as i64) * 3600;
        d += &format!(
            "M{} {}H{}",
            svg_number(x(from, start, window)),
            svg_number(y(*n, scale)),
            svg_number(x(from + 3600, start, window))
        );
    }
    d
}

/// The window's end on the browser's clock, to place live changes after it.
#[cfg(feature = "hydrate")]
fn parse_ms(iso: &str) -> f64 {
    js_sys::Date::parse(iso)
}

/// Only the browser extends the line (effects do not run on the server).
#[cfg(not(feature = "hydrate"))]
fn parse_ms(_: &str) -> f64 {
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_line_runs_from_the_window_start_to_now() {
        let d = step_path(&[(-7200, 4), (-3600, 0)], -7200, 7200, 4.0);
        assert_eq!(d, "M0.0 4.0H120.0V60.0H240.0");
        assert_eq!(step_path(&[], 0, 10, 1.0), "");
        assert_eq!(at_or_before(&[(7200, 4), (3600, 0)], 5400), Some(4));
        assert_eq!(at_or_before(&[(7200, 4), (3600, 0)], 0), Some(0));
        assert_eq!(at_or_before(&[(3600, 0)], 7200), None);
    }
}
