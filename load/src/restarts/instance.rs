//! The instances behind nginx, each on a fixed port (the upstream's), started from the command
//! line `.ci/topology` gives, stopped with SIGTERM or killed with SIGKILL, and started again.
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// How an instance is taken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM: sockets get 1001, requests in flight finish.
    Term,
    /// SIGKILL: a crash; nothing is finished.
    Kill,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Term => "SIGTERM",
            Stop::Kill => "kill -9",
        }
    }
}

pub struct Instance {
    pub name: String,
    port: u16,
    command: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
}

impl Instance {
    /// `command` is the server's program and flags; `--addr 127.0.0.1:<port>` is added, and
    /// socket and registration limits high enough that the load itself is not refused.
    pub fn new(name: &str, port: u16, command: &[String], logs: &std::path::Path) -> Instance {
        Instance {
            name: name.to_string(),
            port,
            command: command.to_vec(),
            log: logs.join(format!("restarts-{name}.log")),
            child: None,
        }
    }

    /// Starts the instance; returns once it listens.
    pub async fn start(&mut self) {
        let (program, flags) = self.command.split_first().expect("a server command");
        let mut child = Command::new(program)
            .args(flags)
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .args([
                "--metrics-addr",
                &format!("127.0.0.1:{}", self.metrics_port()),
            ])
            .args(["--ws-connects-per-minute", "10000000"])
            .args(["--ws-max-sockets-per-client", "100000"])
            .args(["--registrations-per-address", "1000000"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut log = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .await
            .expect("the instance's log file");
        let listening = tokio::time::timeout(crate::WAIT, async {
            while let Some(line) = lines.next_line().await.expect("read log") {
                log.write_all(format!("{line}\n").as_bytes()).await.ok();
                if line.contains("listening on http://") {
                    return;
                }
            }
            panic!(
                "{} exited before listening; its log: {}",
                self.name,
                self.log.display()
            );
        });
        listening.await.expect("the instance listens in time");
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                log.write_all(format!("{line}\n").as_bytes()).await.ok();
            }
        });
        self.child = Some(child);
    }

    /// Its `/metrics` listener: beside its port, 100 up.
    fn metrics_port(&self) -> u16 {
        self.port + 100
    }

    /// WebSockets the instance holds now, by its own gauge.
    pub async fn sockets_open(&self) -> usize {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.metrics_port()));
        let res = crate::http::Conn::open(addr)
            .await
            .get("/metrics", None)
            .await;
        assert_eq!(res.status, 200, "/metrics");
        let open: f64 = res
            .body
            .lines()
            .filter(|l| l.starts_with("battery_swap_ws_sockets_open{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum();
        open as usize
    }

    /// Takes the instance down with `how`; returns once the process has exited, and how long
    /// that took.
    pub async fn stop(&mut self, how: Stop) -> Duration {
        let mut child = self.child.take().expect("a running instance");
        let pid = child.id().expect("running").to_string();
        let started = Instant::now();
        let signal = match how {
            Stop::Term => "-TERM",
            Stop::Kill => "-KILL",
        };
        let sent = Command::new("kill").args([signal, &pid]).status().await;
        assert!(sent.is_ok_and(|s| s.success()), "kill {signal} {pid}");
        tokio::time::timeout(crate::WAIT, child.wait())
            .await
            .expect("the instance exits in time")
            .expect("wait for the instance");
        started.elapsed()
    }
}
