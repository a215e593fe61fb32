//! Starting the real binary the way `.ci/serve` does, where something can go wrong.
use crate::support::{WAIT, fresh_database_url};
use tokio::io::{AsyncBufReadExt, BufReader};

/// Runs the binary with `args` on a fresh database and returns its exit code and stderr.
async fn run(args: &[&str]) -> (Option<i32>, String) {
    run_with_env(args, &[]).await
}

/// [`run`], with these environment variables set.
async fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_battery-swap"))
        .args(args)
        .envs(env.iter().copied())
        .arg("--database-url")
        .arg(fresh_database_url().await)
        .env("RUST_BACKTRACE", "1")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(WAIT, run)
        .await
        .expect("the server gives up at once")
        .expect("run the binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A refusal is one plain line naming what to change: no panic, no backtrace, no debug dump,
/// exit status 1.
fn assert_one_line_error(code: Option<i32>, stderr: &str, mentions: &[&str]) {
    assert_eq!(code, Some(1), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    for m in mentions {
        assert!(lines[0].contains(m), "{m:?} in: {stderr}");
    }
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Os {"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_taken_port_is_one_line_naming_the_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("address").to_string();
    let (code, stderr) = run(&["--addr", &addr]).await;
    let port = format!(
        "port {} is already in use",
        addr.rsplit(':').next().unwrap()
    );
    assert_one_line_error(code, &stderr, &[&port, "--addr"]);
}

#[tokio::test]
async fn settings_that_would_fail_later_are_refused_at_start() {
    let (code, stderr) = run(&["--addr", "127.0.0.1:0", "--ws-heartbeat-ms", "0"]).await;
    assert_one_line_error(code, &stderr, &["--ws-heartbeat-ms"]);
    let with_path = [
        "--addr",
        "127.0.0.1:0",
        "--public-url",
        "https://swap.example/app",
    ];
    let (code, stderr) = run(&with_path).await;
    assert_one_line_error(code, &stderr, &["--public-url", "path"]);
    let proxies = [
        "--addr",
        "127.0.0.1:0",
        "--trusted-proxies",
        "10.0.0.0/8,nonsense",
    ];
    let (code, stderr) = run(&proxies).await;
    assert_one_line_error(code, &stderr, &["--trusted-proxies", "nonsense"]);
}

#[tokio::test]
async fn values_out_of_range_are_refused_by_the_parser() {
    for (args, says) in [
        (&["--hold-minutes", "-5"][..], "--hold-minutes"),
        (&["--hold-minutes", "0"], "--hold-minutes"),
        (&["--min-charge-percent", "101"], "--min-charge-percent"),
        (&["--db-connections", "0"], "--db-connections"),
        (&["--sweep-seconds", "0"], "--sweep-seconds"),
    ] {
        let (code, stderr) = run(args).await;
        assert_one_line_error(code, &stderr, &[says]);
    }
    // A value from the environment names its variable too.
    let env = [("BATTERY_SWAP_HOLD_MINUTES", "0")];
    let (code, stderr) = run_with_env(&["--addr", "127.0.0.1:0"], &env).await;
    assert_one_line_error(
        code,
        &stderr,
        &[
            "--hold-minutes",
            "BATTERY_SWAP_HOLD_MINUTES",
            "from 1 to 10080",
        ],
    );
    // Flags that contradict each other: the default reminder (5) is longer than this hold.
    let (code, stderr) = run(&["--addr", "127.0.0.1:0", "--hold-minutes", "3"]).await;
    assert_one_line_error(
        code,
        &stderr,
        &["--hold-reminder-minutes", "--hold-minutes"],
    );
}

/// The demo accounts share one password; it is in the README, never in a log line.
#[tokio::test]
async fn the_demo_password_is_not_logged() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_battery-swap"))
        .args(["--addr", "127.0.0.1:0", "--demo", "--database-url"])
        .arg(fresh_database_url().await)
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut log = String::new();
    tokio::time::timeout(WAIT * 3, async {
        while let Some(line) = lines.next_line().await.expect("read log") {
            log.push_str(&line);
            log.push('\n');
            if line.contains("listening on") {
                return;
            }
        }
        panic!("exited before listening: {log}");
    })
    .await
    .expect("the server starts");
    assert!(log.contains("loaded demo data"), "{log}");
    assert!(
        !log.contains("battery-swap-demo"),
        "the password is in the log:\n{log}"
    );
}
