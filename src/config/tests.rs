use super::*;
use clap::ArgAction;

/// The one line a command line is refused with.
fn refusal(args: &[&str]) -> String {
    let argv = ["battery-swap"].iter().chain(args);
    match Config::try_parse_from(argv) {
        Ok(config) => panic!("{args:?} accepted: {config:?}"),
        Err(e) => one_line(&e),
    }
}

#[test]
fn values_out_of_range_are_refused_in_one_line_naming_the_flag() {
    for (args, says) in [
        (&["--hold-minutes", "-5"][..], "must be from 1 to 10080"),
        (&["--hold-minutes", "0"], "must be from 1 to 10080"),
        (&["--hold-minutes", "10081"], "must be from 1 to 10080"),
        (
            &["--hold-reminder-minutes", "-1"],
            "must be from 0 to 10080",
        ),
        (&["--min-charge-percent", "101"], "must be from 0 to 100"),
        (&["--min-charge-percent", "-1"], "must be from 0 to 100"),
        (&["--db-connections", "0"], "must be at least 1"),
        (&["--ws-heartbeat-ms", "0"], "must be at least 1"),
        (&["--ws-heartbeat-timeout-ms", "0"], "must be at least 1"),
        (&["--http-header-timeout-ms", "0"], "must be at least 1"),
        (&["--http-request-timeout-ms", "0"], "must be at least 1"),
        (&["--ws-queue", "0"], "must be at least 1"),
        (&["--ws-connects-per-minute", "0"], "must be at least 1"),
        (&["--history-days", "0"], "must be from 1 to 3650"),
        (&["--sweep-seconds", "0"], "must be from 1 to 86400"),
        (&["--device-reports-per-minute", "0"], "must be at least 1"),
        (
            &["--session-idle-minutes", "0"],
            "must be from 1 to 5256000",
        ),
        // A lifetime so long that now + it overflows a date would fail at the first login.
        (&["--token-days", "4294967295"], "must be from 1 to 3650"),
        (&["--session-days", "3651"], "must be from 1 to 3650"),
        (
            &["--login-lockout-seconds", "0"],
            "must be from 1 to 31536000",
        ),
        (
            &["--demo-charger-rate", "101"],
            "percent per minute, from 0 to 100",
        ),
        (&["--public-url", "https://swap.example/app"], "has a path"),
        (&["--ws-queue", "lots"], "is not a whole number"),
    ] {
        let line = refusal(args);
        assert!(!line.contains('\n'), "one line: {line}");
        assert!(
            line.contains(&format!("'{} <", args[0])),
            "names the flag: {line}"
        );
        assert!(line.contains(says), "{says:?} in: {line}");
    }
}

#[test]
fn a_refused_value_names_the_environment_variable_too() {
    let line = refusal(&["--hold-minutes", "0"]);
    assert_eq!(
        line,
        "invalid value '0' for '--hold-minutes <MINUTES>' (or BATTERY_SWAP_HOLD_MINUTES): must be from 1 to 10080"
    );
}

#[test]
fn other_parse_errors_are_one_line_with_their_tip() {
    let line = refusal(&["--hold", "5"]);
    assert!(!line.contains('\n'), "{line}");
    assert!(line.contains("'--hold'"), "{line}");
    assert!(line.contains("tip: a similar argument exists"), "{line}");
}

#[test]
fn values_in_range_are_accepted() {
    let config = Config::parse_from([
        "battery-swap",
        "--hold-minutes",
        "1",
        "--hold-reminder-minutes",
        "0",
        "--min-charge-percent",
        "100",
        "--db-connections",
        "1",
        "--low-stock-threshold",
        "0",
        "--hash-concurrency",
        "0",
        "--shutdown-grace-ms",
        "0",
        "--demo-charger-rate",
        "0.5",
    ]);
    assert!(config.validate().is_ok());
    assert_eq!(config.rules().hold, chrono::Duration::minutes(1));
    assert_eq!(config.rules().min_charge_percent, 100);
    assert_eq!(config.operations.db_connections, Some(1));
}

#[test]
fn the_rules_are_the_flags_defaults() {
    let rules = Config::for_database("sqlite::memory:").rules();
    assert_eq!(rules.min_charge_percent, 90);
    assert_eq!(rules.hold, chrono::Duration::minutes(30));
    assert_eq!(rules.hold_reminder, chrono::Duration::minutes(5));
    assert_eq!(rules.low_stock_threshold, 2);
    assert_eq!(rules.history_keep, chrono::Duration::days(35));
    assert_eq!(rules.session_ttl, chrono::Duration::days(30));
    assert_eq!(rules.accounts.session_idle, chrono::Duration::days(7));
    assert_eq!(rules.accounts.token_ttl, chrono::Duration::days(90));
    assert_eq!(rules.accounts.lockout, chrono::Duration::minutes(15));
}

#[test]
fn help_shows_the_groups() {
    let help = Config::command().render_help().to_string();
    let headings: Vec<&str> = help
        .lines()
        .filter(|l| !l.starts_with(' ') && l.ends_with(':'))
        .collect();
    assert_eq!(
        headings,
        [
            "Commands:",
            "Options:",
            "HTTP:",
            "WebSockets:",
            "Booking rules:",
            "Accounts:",
            "Devices:",
            "Map:",
            "Push notifications:",
            "Demo:",
            "Operations:"
        ],
        "{help}"
    );
}

const OPERATIONS_MD: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md"));

/// Every flag has one row in `docs/operations.md`'s flag tables, with its environment
/// variable and its default; and every row there is a flag.
#[test]
fn every_flag_is_documented_in_operations_md() {
    let rows: Vec<&str> = OPERATIONS_MD
        .lines()
        .filter(|l| l.starts_with("| `--"))
        .collect();
    let command = Config::command();
    let mut missing = Vec::new();
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else {
            continue;
        };
        if matches!(long, "help" | "version") {
            continue;
        }
        let flag = format!("`--{long}`");
        let mine: Vec<&&str> = rows
            .iter()
            .filter(|r| r.starts_with(&format!("| {flag} |")))
            .collect();
        let [row] = mine[..] else {
            missing.push(format!("{flag}: {} rows", mine.len()));
            continue;
        };
        let cells: Vec<&str> = row.split(" | ").collect();
        if let Some(env) = arg.get_env() {
            let env = format!("`{}`", env.to_string_lossy());
            if cells.get(1) != Some(&env.as_str()) {
                missing.push(format!("{flag}: env {env} not in its row"));
            }
        }
        let takes_value = !matches!(arg.get_action(), ArgAction::SetTrue);
        for default in arg.get_default_values().iter().filter(|_| takes_value) {
            let default = format!("`{}`", default.to_string_lossy());
            if !cells.get(2).is_some_and(|c| c.contains(&default)) {
                missing.push(format!("{flag}: default {default} not in its row"));
            }
        }
    }
    for row in &rows {
        let long = row[3..].split('`').next().unwrap_or_default();
        let known = command
            .get_arguments()
            .any(|a| a.get_long().is_some_and(|l| l == &long[2..]));
        if !known {
            missing.push(format!("{long}: documented, but no such flag"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/operations.md is out of step with the flags:\n{}",
        missing.join("\n")
    );
}
