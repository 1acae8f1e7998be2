//! A step's accepted, pending and failed deliveries over time, as stacked areas
//! in SVG. Rendered on the server with the page and hydrated like the rest; a
//! table with the same figures is there for screen readers.

use crate::server_fns::step_report::ChartPoint;
use leptos::prelude::*;

// The plot's own coordinates. The SVG stretches to its box (its height is
// set in CSS), so its lines keep their width with `non-scaling-stroke`, and the
// labels are HTML beside it: text inside a scaled SVG shrinks with it, to a
// few pixels on a phone.
const W: f64 = 1000.0;
const H: f64 = 100.0;

/// "2026-11-27T10:32:05Z" → "2026-11-27 10:32 UTC".
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replace('T', " ");
    let t = t.trim_end_matches('Z');
    format!("{} UTC", t.get(..16).unwrap_or(t))
}

/// "2026-11-27T10:32:05Z" → "2026-11-27 10:32:05 UTC".
pub fn exact_time(rfc3339: &str) -> String {
    format!("{} UTC", rfc3339.replace('T', " ").trim_end_matches('Z'))
}

/// A value's height on the plot.
fn y(v: i64, max: i64) -> f64 {
    H * (1.0 - v as f64 / max.max(1) as f64)
}

fn x(i: usize, n: usize) -> f64 {
    if n <= 1 {
        W
    } else {
        W * i as f64 / (n - 1) as f64
    }
}

/// The area between the lower and upper running totals of a band.
fn band(
    points: &[ChartPoint],
    max: i64,
    lower: impl Fn(&ChartPoint) -> i64,
    upper: impl Fn(&ChartPoint) -> i64,
) -> String {
    let n = points.len();
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        d.push_str(&format!("{cmd}{:.1},{:.1} ", x(i, n), y(upper(p), max)));
    }
    for (i, p) in points.iter().enumerate().rev() {
        d.push_str(&format!("L{:.1},{:.1} ", x(i, n), y(lower(p), max)));
    }
    d.push('Z');
    d
}

#[component]
pub fn DeliveryChart(points: Vec<ChartPoint>) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="empty-state">"No contact has reached this step yet: nothing to chart."</p> }
            .into_any();
    }
    let max = points
        .iter()
        .map(|p| p.accepted + p.pending + p.failed)
        .max()
        .unwrap_or(0)
        .max(1);
    let accepted = band(&points, max, |_| 0, |p| p.accepted);
    let pending = band(&points, max, |p| p.accepted, |p| p.accepted + p.pending);
    let failed = band(
        &points,
        max,
        |p| p.accepted + p.pending,
        |p| p.accepted + p.pending + p.failed,
    );
    let first = short_time(&points[0].at);
    let last_point = points.last().cloned().expect("not empty");
    let last = short_time(&last_point.at);
    let label = format!(
        "Deliveries from {first} to {last}: now {} accepted, {} pending, {} failed",
        last_point.accepted, last_point.pending, last_point.failed
    );
    // Every eighth point in the table: enough to read the trend.
    let rows: Vec<ChartPoint> = points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 8 == 7 || *i + 1 == points.len())
        .map(|(_, p)| p.clone())
        .collect();
    let title = label.clone();
    view! {
        <figure class="chart" data-testid="delivery-chart">
            <div class="chart-frame">
                <div class="chart-y" aria-hidden="true">
                    <span data-testid="chart-max">{max}</span>
                    <span>"0"</span>
                </div>
                <svg viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label=label>
                    <title>{title}</title>
                    <path class="chart-accepted" d=accepted />
                    <path class="chart-pending" d=pending />
                    <path class="chart-failed" d=failed />
                    <line class="chart-grid" x1="0" y1="0" x2=W y2="0" vector-effect="non-scaling-stroke" />
                    <line class="chart-axis" x1="0" y1=H x2=W y2=H vector-effect="non-scaling-stroke" />
                </svg>
                <div class="chart-x" aria-hidden="true">
                    <span data-testid="chart-from">{first.clone()}</span>
                    <span>{last.clone()}</span>
                </div>
            </div>
            <figcaption class="chart-legend">
                <span class="key accepted">"Accepted"</span>
                <span class="key pending">"Pending"</span>
                <span class="key failed">"Failed"</span>
            </figcaption>
            // A table is as wide as its content whatever its own width says: the
            // wrapper is what hides it.
            <div class="visually-hidden">
                <table>
                    <caption>"Deliveries over time"</caption>
                    <thead><tr><th scope="col">"Time"</th><th scope="col">"Accepted"</th><th scope="col">"Pending"</th><th scope="col">"Failed"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| view! {
                            <tr><td>{short_time(&p.at)}</td><td>{p.accepted}</td><td>{p.pending}</td><td>{p.failed}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(accepted: i64, pending: i64, failed: i64) -> ChartPoint {
        ChartPoint {
            at: "2026-11-27T10:32:05Z".into(),
            accepted,
            pending,
            failed,
        }
    }

    #[test]
    fn times_read_as_minutes_in_utc() {
        assert_eq!(short_time("2026-11-27T10:32:05Z"), "2026-11-27 10:32 UTC");
        assert_eq!(
            exact_time("2026-11-27T10:32:05Z"),
            "2026-11-27 10:32:05 UTC"
        );
    }

    #[test]
    fn bands_stack_from_the_bottom_of_the_plot() {
        let points = [p(0, 2, 0), p(1, 0, 1)];
        // The accepted band of the first point sits on the axis (height 0).
        let d = band(&points, 2, |_| 0, |p| p.accepted);
        assert!(d.starts_with(&format!("M0.0,{H:.1}")), "{d}");
        // The top of everything is the maximum at the plot's top.
        let top = band(
            &points,
            2,
            |p| p.accepted + p.pending,
            |p| p.accepted + p.pending + p.failed,
        );
        assert!(top.contains("M0.0,0.0"), "{top}");
        assert!(top.ends_with('Z'));
    }
}
