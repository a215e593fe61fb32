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
