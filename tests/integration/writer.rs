//! The SQLite writer thread (`app::writer`): bookings and cancels run their transactions there.
use app::error::AppError;

use crate::support::*;

async fn thread_of_a_change(ctx: &app::context::Ctx) -> Option<String> {
    ctx.write(|_| async { Ok(std::thread::current().name().map(String::from)) })
        .await
        .expect("a change that succeeds")
}

#[tokio::test]
async fn changes_run_on_the_writer_thread_on_sqlite_only() {
    let s = server().await;
    let on_writer = thread_of_a_change(ctx(&s)).await;
    if on_postgres() {
        assert!(ctx(&s).writer.is_none());
        assert_ne!(on_writer.as_deref(), Some("sqlite-writer"));
    } else {
        assert_eq!(on_writer.as_deref(), Some("sqlite-writer"));
    }
}

#[tokio::test]
async fn a_change_that_fails_or_panics_is_answered_and_the_writer_goes_on() {
    let s = server().await;
    let refused = ctx(&s)
        .write(|_| async { Err::<(), _>(AppError::NoneAvailable) })
        .await;
    assert!(
        matches!(refused, Err(AppError::NoneAvailable)),
        "{refused:?}"
    );
    if !on_postgres() {
        let panicked = ctx(&s)
            .write(|_| async {
                panic!("a bug in a change");
                #[allow(unreachable_code)]
                Ok(())
            })
            .await;
        assert!(matches!(panicked, Err(AppError::Internal)), "{panicked:?}");
    }
    assert!(thread_of_a_change(ctx(&s)).await.is_some());
}

/// A change whose caller has gone (a request timed out, its client left) is dropped on the
/// writer too, its transaction rolled back, as it would have been on the caller's own task.
#[tokio::test]
async fn a_change_whose_caller_has_gone_is_dropped() {
    struct Dropped(Option<tokio::sync::oneshot::Sender<()>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            if let Some(tell) = self.0.take() {
                let _ = tell.send(());
            }
        }
    }
    let s = server().await;
    let (tell, told) = tokio::sync::oneshot::channel();
    let (started, running) = tokio::sync::oneshot::channel::<()>();
    let caller = ctx(&s).write(move |_| async move {
        let _flag = Dropped(Some(tell));
        let _ = started.send(());
        std::future::pending::<app::error::AppResult<()>>().await
    });
    // The caller waits until the change runs, then gives up (as a request timeout would).
    tokio::select! {
        _ = caller => panic!("a change that never ends answered"),
        _ = running => {}
    }
    tokio::time::timeout(WAIT, told)
        .await
        .expect("the change is dropped once its caller has gone")
        .expect("dropped, not leaked");
}

/// SQLite is built with the query planner's stability guarantee (`LIBSQLITE3_FLAGS` in
/// `.cargo/config.toml`). Without it every statement with `LIMIT ?` (each sea-orm `.one()`:
/// the session lookup, the booking's claim) was prepared again on every execution, because
/// binding its parameter expires the plan: about a fifth of the SQLite threads' time under the
/// bookings load (README "Measuring capacity").
#[tokio::test]
async fn sqlite_keeps_its_prepared_statements_across_bindings() {
    use sea_orm::{ConnectionTrait, Statement};
    if on_postgres() {
        return;
    }
    let s = server().await;
    let options = ctx(&s)
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT compile_options FROM pragma_compile_options",
        ))
        .await
        .expect("compile options");
    let names: Vec<String> = options
        .iter()
        .filter_map(|row| row.try_get::<String>("", "compile_options").ok())
        .collect();
    assert!(
        names.iter().any(|o| o == "ENABLE_QPSG"),
        "SQLite built without ENABLE_QPSG: {names:?}"
    );
}
