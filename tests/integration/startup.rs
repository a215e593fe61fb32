//! Starting the real binary the way `.ci/serve` does, where something can go wrong.
use crate::support::{WAIT, fresh_database_url};

/// A taken port is one plain line naming the port and the flag that changes it: no panic, no
/// backtrace, no debug dump, exit status 1.
#[tokio::test]
async fn a_taken_port_is_one_line_naming_the_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("address");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_battery-swap"))
        .args(["--addr", &addr.to_string(), "--database-url"])
        .arg(fresh_database_url().await)
        .env("RUST_BACKTRACE", "1")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(WAIT, run)
        .await
        .expect("the server gives up at once")
        .expect("run the binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "{line}");
    assert!(
        line.contains(&format!("port {} is already in use", addr.port())),
        "{line}"
    );
    assert!(line.contains("--addr"), "{line}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Os {"),
        "{stderr}"
    );
}
