//! The unit of work: every change to the data is one [`Change`] (server only).
//!
//! A change owns its transaction, its actor, the stations it touched, its audit lines and its
//! events. Concept code begins one, makes its conditional write first (`change.txn()`), says
//! what it did (`audit`, `recount`, `raise`) and ends with [`Change::commit`], which does the
//! rest in one place and in a fixed order:
//!
//! 1. the stations the change changed were bumped and recounted when it asked
//!    ([`Change::recount`]: version + 1, counts as they will commit, stock level), so that its
//!    facts carry them as committed;
//! 2. the events, facts ([`event::Event`]): the change's own, then the low-stock crossings its
//!    recounts found, so that its station events keep their places; each rendered once for
//!    its audiences (`feed::ssr::projection`), its notifications stored in one statement, its
//!    station events numbered (`DomainEvent::sequence`);
//! 3. staged: the rows nothing in the change reads back (its audit lines, in one insert, and
//!    its stations' history rows) written, and on PostgreSQL `NOTIFY`ed, all in one statement
//!    there (`EventBus::stage`);
//! 4. committed and published, on a task of its own: once the database has the change, its
//!    events go out even if the caller is gone (a request timed out, a client left).
//!
//! Nothing else commits a transaction (`clippy.toml` forbids `DatabaseTransaction::commit`
//! elsewhere) and nothing else publishes a committed change's events (`Ctx::announce` speaks
//! for what was done with no transaction: the sweeper's expired sessions).
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::InsertStatement;
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::audit::AuditAction;
use crate::audit::ssr::{Actor, Line, Named, insert_all};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::ssr::DomainEvent;
use crate::feed::ssr::projection::{Out, project};
use crate::notification::ssr::store::{self, NewNotification};
use crate::station::StationSummary;
use crate::station::ssr::version::{Recounted, bump_version_and_recount};
use crate::write_gate::{Gated, Pass};

pub mod event;

use event::Event;

/// One change in the making; dropped without [`Change::commit`], it is rolled back.
#[must_use = "a change is rolled back unless it is committed: change.commit().await"]
pub struct Change {
    ctx: Ctx,
    txn: DatabaseTransaction,
    at: DateTime<Utc>,
    by: Named,
    audit: Vec<Line>,
    /// The stations this change recounted, by id, as they will commit.
    stations: BTreeMap<i32, StationSummary>,
    events: Vec<Event>,
    /// Low-stock crossings the recounts found: raised after the change's own events.
    crossings: Vec<Event>,
    /// Rows nothing in the change reads back (its stations' history, a retry's answer),
    /// written at its commit.
    rows: Vec<InsertStatement>,
    /// SQLite: the right to write, held until the change has committed or rolled back.
    pass: Option<Pass>,
}

impl Change {
    /// Begins a change made by `actor`, at the current time.
    pub async fn begin(ctx: &Ctx, actor: Actor<'_>) -> AppResult<Change> {
        let pass = match &ctx.gate {
            Some(Gated { gate, lane }) => Some(gate.enter(*lane).await?),
            None => None,
        };
        Change::on_fresh_transaction(ctx.clone(), Utc::now(), actor.named(), pass).await
    }

    /// The change begun again on a fresh transaction, before it has said anything (what it
    /// said would go with the rollback): for a first statement that may have left row locks
    /// the change must not hold while it waits (PostgreSQL's pack claim). SQLite's write gate
    /// stays held.
    pub async fn restart(self) -> AppResult<Change> {
        let said = [
            self.audit.is_empty(),
            self.stations.is_empty(),
            self.events.is_empty(),
            self.rows.is_empty(),
        ];
        if said.contains(&false) {
            tracing::error!("a change was restarted after it had said what it did");
            return Err(AppError::Internal);
        }
        let Change {
            ctx,
            txn,
            at,
            by,
            pass,
            ..
        } = self;
        txn.rollback().await?;
        Change::on_fresh_transaction(ctx, at, by, pass).await
    }

    /// A change that has said nothing yet, on a transaction of its own.
    async fn on_fresh_transaction(
        ctx: Ctx,
        at: DateTime<Utc>,
        by: Named,
        pass: Option<Pass>,
    ) -> AppResult<Change> {
        Ok(Change {
            txn: ctx.db.begin().await?,
            ctx,
            at,
            by,
            pass,
            audit: Vec::new(),
            stations: BTreeMap::new(),
            events: Vec::new(),
            crossings: Vec::new(),
            rows: Vec::new(),
        })
    }

    /// The transaction every write of the change goes through.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    /// When the change happened: one time for its audit lines, notes and messages (rows other
    /// modules write, such as a booking's, take their own times).
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Names the actor once the change itself has found out who it is (a login).
    pub fn act_as(&mut self, actor: Actor<'_>) {
        self.by = actor.named();
    }

    /// A line of the audit trail, written with the change.
    pub fn audit(
        &mut self,
        station_id: Option<i32>,
        action: AuditAction,
        detail: impl Into<String>,
    ) {
        self.audit.push(Line {
            station_id,
            action,
            detail: detail.into(),
        });
    }

    /// The station as this change will commit it: bumped (its row locked until commit) and
    /// recounted now, for a change that decides on the counts or names them in its facts. Asked
    /// again, it answers the same, so a change recounts after its last write of packs there.
    /// Its history row waits for the commit, so the station's row is locked for as few
    /// statements as may be.
    pub async fn recount(&mut self, station_id: i32) -> AppResult<StationSummary> {
        if let Some(done) = self.stations.get(&station_id) {
            return Ok(done.clone());
        }
        let Recounted {
            station,
            crossed,
            history,
        } = bump_version_and_recount(&self.txn, &self.ctx.rules, station_id).await?;
        self.crossings.extend(crossed);
        self.rows.push(history);
        self.stations.insert(station_id, station.clone());
        Ok(station)
    }

    /// A row nothing in the change reads back (the answer kept for a retried request,
    /// `idempotency::ssr::Retry::row`), written with the commit: on PostgreSQL in the one
    /// statement that also writes the audit lines and NOTIFYs the events.
    pub fn keep(&mut self, row: InsertStatement) {
        self.rows.push(row);
    }

    /// A fact of the change, told to its audiences once the change commits.
    pub fn raise(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Ends the change, leaving nothing behind, at once: a dropped change rolls back too, but
    /// only when its connection is next used, so a caller that reads on afterwards says so.
    pub async fn rollback(self) -> AppResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }

    /// Commits the change and publishes its events, in the order the module's doc gives.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place a change's transaction commits"
    )]
    pub async fn commit(self) -> AppResult<()> {
        let Change {
            ctx,
            txn,
            at,
            by,
            audit,
            mut events,
            crossings,
            mut rows,
            pass,
            ..
        } = self;
        events.extend(crossings);
        let mut events = render(&txn, events, at).await?;
        DomainEvent::sequence(&mut events)?;
        rows.extend(insert_all(&by, audit, at, ctx.client));
        // Only a kept answer's row is unique (`idempotency`): a retry that made a second change
        // under its key meets it here, and gets the first answer (`Retry::or_first_answer`).
        let staged = ctx.bus.stage(&txn, rows, &events).await;
        staged.map_err(|e| crate::error::unique_or(e, AppError::KeyReused))?;
        let bus = ctx.bus.clone();
        // Its own task: dropping the caller from here on (a timeout, a client gone) can no
        // longer part a committed change from its events. The request's span goes along.
        let finish = tokio::spawn(tracing::Instrument::in_current_span(async move {
            let _in_order = bus.in_commit_order().await;
            txn.commit().await?;
            bus.committed(events);
            drop(pass);
            Ok::<(), AppError>(())
        }));
        finish.await.map_err(|e| {
            tracing::error!(error = %e, "a change's commit task failed");
            AppError::Internal
        })?
    }
}

/// The change's facts as its audiences get them: each projected once, its notes stored in one
/// statement, each delivered note as a `notification` message in its place.
async fn render(
    txn: &DatabaseTransaction,
    events: Vec<Event>,
    at: DateTime<Utc>,
) -> AppResult<Vec<DomainEvent>> {
    let outs: Vec<Out> = events.into_iter().flat_map(|e| project(e, at)).collect();
    let notes: Vec<NewNotification> = (outs.iter())
        .filter_map(|out| match out {
            Out::Note(n) => Some(NewNotification {
                user_id: n.user_id,
                kind: n.kind,
                title: n.title.clone(),
                message: n.message.clone(),
                level: n.level,
                at,
            }),
            Out::Wire(_) => None,
        })
        .collect();
    let mut stored = store::store_all(txn, notes).await?.into_iter();
    let mut wire = Vec::with_capacity(outs.len());
    for out in outs {
        match out {
            Out::Wire(event) => wire.push(event),
            Out::Note(note) => {
                let row = stored.next().ok_or(AppError::Internal)?;
                if note.deliver {
                    let user_id = row.user_id;
                    let message = store::message(row);
                    wire.push(DomainEvent::User { user_id, message });
                }
            }
        }
    }
    Ok(wire)
}
