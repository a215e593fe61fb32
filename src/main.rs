use battery_swap::config::{Command, Config};
use std::process::ExitCode;

/// mimalloc: with glibc's malloc, allocating and freeing took ~15 % of the server's CPU in
/// the load tool's bookings case (perf), and CPU per request fell 9-25 % with mimalloc.
/// Built with `no_thp`: with transparent huge pages an idle socket cost 13-14 KiB at 1,000
/// sockets (the budget is 8).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A start-up failure (a value out of range, port taken, database unreachable) is one line on
/// stderr and exit status 1, not a debug dump.
#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_command_line() {
        Ok(config) => config,
        Err(refused) => {
            eprintln!("error: {refused}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Backup { to }) = &config.command {
        return match battery_swap::backup::backup(&config.operations.database_url, to).await {
            Ok(bytes) => {
                println!("backed up to {} ({bytes} bytes)", to.display());
                ExitCode::SUCCESS
            }
            Err(refused) => {
                eprintln!("error: {refused}");
                ExitCode::FAILURE
            }
        };
    }
    battery_swap::logging::init(config.operations.log_format);
    let run = async {
        // Before the server starts: a SIGTERM that arrives as soon as it listens must shut it
        // down gracefully, not kill it (the default action) with its sockets unclosed.
        let stop = shutdown_signal()?;
        battery_swap::start(config).await?.run_until(stop).await
    };
    match run.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM from a process manager; the handlers are installed when this is called.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
