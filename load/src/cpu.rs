//! Where a phase's CPU went, from `/proc`: a process's own time, every process of one name
//! (PostgreSQL's backends), and the whole machine's busy time. Linux only, like the tool.
use std::collections::HashMap;
use std::time::Duration;

/// CPU time (user + system) a process has used so far.
pub fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<u64>().ok())
        .sum();
    // The kernel's USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

/// CPU time (user + system) of each process named `comm` (e.g. "postgres", the database's
/// backends, which live as long as the server's pool), by process id.
pub fn cpu_times_of(comm: &str) -> HashMap<String, Duration> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == comm)
        })
        .map(|pid| {
            let used = cpu_time(&pid);
            (pid, used)
        })
        .collect()
}

/// What the processes of `after` used since `before`, each from its own earlier figure (a
/// process started since counts from zero; one that has exited is not in `after`, and what it
/// used since `before` is lost: the figure is a lower bound).
pub fn cpu_used_since(
    before: &HashMap<String, Duration>,
    after: &HashMap<String, Duration>,
) -> Duration {
    after
        .iter()
        .map(|(pid, used)| used.saturating_sub(before.get(pid).copied().unwrap_or_default()))
        .sum()
}

/// Busy CPU time of the whole machine so far (every core: user, nice, system, irq, softirq,
/// steal; not idle or I/O wait), and the number of cores: what a phase left of the machine.
pub fn machine_busy() -> (Duration, usize) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cores = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .count();
    let ticks: u64 = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .enumerate()
        .filter(|(i, _)| matches!(i, 0 | 1 | 2 | 5 | 6 | 7))
        .filter_map(|(_, v)| v.parse::<u64>().ok())
        .sum();
    (Duration::from_millis(ticks * 10), cores.max(1))
}
