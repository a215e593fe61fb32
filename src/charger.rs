//! The demo's simulated chargers (`--demo`, `--demo-charger-rate`): one cabinet per station,
//! each with its own device credential, reporting over HTTP through `/api/report_batteries`
//! exactly as a real cabinet would, so the demo exercises the device path end to end.
//!
//! What a cabinet senses (which packs are in its slots, their charge) it reads from the
//! database, as a real one reads its slots; what it changes goes only through the report.
//! Every tick a pack that is not booked gains `rate` percent per minute up to 100, so
//! charging packs become available at the threshold by themselves; and every third pack that
//! arrives in the slots after the cabinet started (a returned pack, or one staff added) is
//! measured as nearly empty, so it charges in the open.
use app::audit::ssr::Actor;
use app::battery::{BatteryState, BatteryView, PackReport};
use app::context::Ctx;
use app::error::AppResult;
use axum::body::Body;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use crate::BoxError;

/// Every demo charger's device label: a restart revokes the previous run's chargers by it, and
/// finds by it that the database is the demo's.
pub const LABEL: &str = "Demo charger";

/// How often each cabinet reports.
const TICK: Duration = Duration::from_secs(5);

/// Longest a report may take, connection included.
const REPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a cabinet reports, on our own listener.
const REPORT_PATH: &str = "/api/report_batteries";

/// On a demo database (`fresh`ly loaded, or with the last run's chargers): revokes the last
/// run's chargers, issues each open station a new one and starts them; returns how many.
/// `None` on any other database: `--demo` left on against real stations must not invent
/// charge readings for them.
pub async fn start(
    ctx: &Ctx,
    server: SocketAddr,
    rate_per_minute: f64,
    fresh: bool,
    shutdown: CancellationToken,
) -> AppResult<Option<usize>> {
    let previous = app::device::ssr::live_labelled(&ctx.db, LABEL).await?;
    if !fresh && previous.is_empty() {
        return Ok(None);
    }
    for id in previous {
        app::device::ssr::revoke_as(ctx, Actor::System, id).await?;
    }
    let server = loopback(server);
    let stations = app::station::ssr::list(&ctx.db).await?;
    for station in &stations {
        let device = app::device::ssr::issue(ctx, Actor::System, station.id, LABEL).await?;
        let cabinet = Cabinet {
            station_id: station.id,
            token: device.token,
            rate_per_tick: rate_per_minute * TICK.as_secs_f64() / 60.0,
            charge: HashMap::new(),
            seen: None,
            arrivals: 0,
        };
        tokio::spawn(cabinet.run(ctx.clone(), server, shutdown.clone()));
    }
    Ok(Some(stations.len()))
}

/// The address to reach our own listener at (an unspecified bind means every interface).
fn loopback(mut addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => [127, 0, 0, 1].into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

struct Cabinet {
    station_id: i32,
    token: String,
    rate_per_tick: f64,
    /// Charge to a fraction of a percent, so a slow rate still adds up.
    charge: HashMap<String, f64>,
    /// Serials in the slots at the last look; `None` before the first.
    seen: Option<HashSet<String>>,
    arrivals: u32,
}

impl Cabinet {
    async fn run(mut self, ctx: Ctx, server: SocketAddr, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(TICK);
        // After a stall, report once and carry on, rather than in a burst.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            let packs = match app::battery::ssr::at_station(&ctx.db, self.station_id).await {
                Ok(packs) => packs,
                Err(e) => {
                    tracing::warn!(station_id = self.station_id, error = %e, "demo charger cannot read its slots");
                    continue;
                }
            };
            let readings = self.measure(&packs);
            let body = serde_json::json!({ "batteries": readings }).to_string();
            let sent = tokio::time::timeout(REPORT_TIMEOUT, report(server, &self.token, body))
                .await
                .unwrap_or_else(|_| Err("timed out".into()));
            match sent {
                Ok(status) if status.is_success() => {}
                Ok(StatusCode::UNAUTHORIZED) => {
                    tracing::info!(
                        station_id = self.station_id,
                        "demo charger revoked: stopping"
                    );
                    return;
                }
                Ok(status) => {
                    tracing::warn!(station_id = self.station_id, %status, "demo charger report refused")
                }
                Err(e) => {
                    tracing::warn!(station_id = self.station_id, error = %e, "demo charger cannot report")
                }
            }
        }
    }

    /// This tick's readings: every pack in the slots that no booking holds.
    fn measure(&mut self, packs: &[BatteryView]) -> Vec<PackReport> {
        let now: HashSet<String> = packs.iter().map(|p| p.serial.clone()).collect();
        let mut readings = Vec::new();
        for pack in packs {
            if matches!(pack.state, BatteryState::Booked) {
                continue;
            }
            let arrived = self
                .seen
                .as_ref()
                .is_some_and(|s| !s.contains(&pack.serial));
            let stored = f64::from(pack.charge_percent);
            let charge = self.charge.entry(pack.serial.clone()).or_insert(stored);
            // Staff may have typed another figure meanwhile: the database is the truth.
            if charge.floor() != stored {
                *charge = stored;
            }
            if arrived {
                self.arrivals += 1;
                if self.arrivals % 3 == 1 {
                    *charge = f64::from(10 + (self.arrivals * 7) % 25);
                }
            }
            if pack.state != BatteryState::Maintenance {
                *charge = (*charge + self.rate_per_tick).min(100.0);
            }
            readings.push(PackReport {
                serial: pack.serial.clone(),
                charge_percent: charge.floor() as i16,
                state: None,
            });
        }
        self.charge.retain(|serial, _| now.contains(serial));
        self.seen = Some(now);
        readings
    }
}

/// One report, `POST /api/report_batteries` with the cabinet's bearer token, on a connection
/// of its own (one every few seconds: nothing to pool), as a cabinet on the network sends it.
/// HTTP/1 by hyper, which the server is built on: no HTTP client library in the server for
/// the demo's sake. The answer's status; its body is not read.
async fn report(server: SocketAddr, token: &str, json: String) -> Result<StatusCode, BoxError> {
    let tcp = TcpStream::connect(server).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    let request = Request::post(REPORT_PATH)
        .header(HOST, server.to_string())
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from(json))?;
    // The connection is driven beside the exchange, and dropped with it once the status is in.
    tokio::pin!(connection);
    tokio::select! {
        biased;
        answer = sender.send_request(request) => Ok(answer?.status()),
        closed = &mut connection => match closed {
            Ok(()) => Err("the server closed the connection before answering".into()),
            Err(e) => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(serial: &str, state: BatteryState, charge_percent: i16) -> BatteryView {
        BatteryView {
            id: 1,
            station_id: 1,
            serial: serial.into(),
            model: "M".into(),
            charge_percent,
            state,
        }
    }

    fn cabinet(rate_per_tick: f64) -> Cabinet {
        Cabinet {
            station_id: 1,
            token: String::new(),
            rate_per_tick,
            charge: HashMap::new(),
            seen: None,
            arrivals: 0,
        }
    }

    #[test]
    fn charges_accumulate_to_full_and_skip_booked_packs() {
        let mut c = cabinet(0.5);
        let packs = vec![
            pack("A", BatteryState::Charging, 88),
            pack("B", BatteryState::Booked, 95),
            pack("C", BatteryState::Available, 100),
        ];
        let first = c.measure(&packs);
        assert_eq!(first.len(), 2, "a booked pack is not reported");
        assert_eq!(first[0].charge_percent, 88, "88.5 reads as 88");
        assert_eq!(first[1].charge_percent, 100);
        let second = c.measure(&packs);
        assert_eq!(second[0].charge_percent, 89, "the half percents add up");
    }

    #[test]
    fn every_third_arrival_comes_back_low() {
        let mut c = cabinet(0.0);
        let mut packs = vec![pack("A", BatteryState::Available, 100)];
        c.measure(&packs);
        for serial in ["R1", "R2", "R3", "R4"] {
            packs.push(pack(serial, BatteryState::Available, 95));
        }
        let readings = c.measure(&packs);
        let low: Vec<&str> = readings
            .iter()
            .filter(|r| r.charge_percent < 50)
            .map(|r| r.serial.as_str())
            .collect();
        assert_eq!(low, ["R1", "R4"]);
    }
}
