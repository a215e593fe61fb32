//! Value parsers for numeric flags: a value out of range is refused by clap as it parses,
//! in one line naming the flag (`invalid value '0' for '--ws-queue <MESSAGES>': must be at
//! least 1`).
//!
//! clap's own `value_parser!(u32).range(1..)` would say `0 is not in 1..=4294967295`, and
//! `-5` for an unsigned flag `invalid digit found in string`; these say what is allowed. The
//! flags that use them also set `allow_negative_numbers`, so `--hold-minutes -5` reaches the
//! parser instead of being taken for a short flag `-5`.

/// Whole numbers from `min` up.
pub fn at_least<T: TryFrom<i128>>(
    min: i128,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |s| {
        let n = whole(s)?;
        if n < min {
            return Err(format!("must be at least {min}"));
        }
        T::try_from(n).map_err(|_| "is too large".to_string())
    }
}

/// Whole numbers from `min` to `max`.
pub fn between<T: TryFrom<i128>>(
    min: i128,
    max: i128,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |s| {
        let n = whole(s)?;
        if !(min..=max).contains(&n) {
            return Err(format!("must be from {min} to {max}"));
        }
        T::try_from(n).map_err(|_| "is too large".to_string())
    }
}

/// A rate in percent per minute, from 0 to 100 (fractions allowed).
pub fn percent_per_minute(s: &str) -> Result<f64, String> {
    let rate: f64 = s
        .trim()
        .parse()
        .map_err(|_| "is not a number".to_string())?;
    if !(0.0..=100.0).contains(&rate) {
        return Err("is percent per minute, from 0 to 100".into());
    }
    Ok(rate)
}

fn whole(s: &str) -> Result<i128, String> {
    s.trim()
        .parse()
        .map_err(|_| "is not a whole number".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_in_range_pass_and_others_say_why() {
        let positive = at_least::<u32>(1);
        assert_eq!(positive("7"), Ok(7));
        assert_eq!(positive("0").unwrap_err(), "must be at least 1");
        assert_eq!(positive("-5").unwrap_err(), "must be at least 1");
        assert_eq!(positive("ten").unwrap_err(), "is not a whole number");
        assert_eq!(positive("1.5").unwrap_err(), "is not a whole number");
        assert_eq!(positive("4294967296").unwrap_err(), "is too large");
        let percent = between::<i16>(0, 100);
        assert_eq!(percent("100"), Ok(100));
        assert_eq!(percent("0"), Ok(0));
        assert_eq!(percent("101").unwrap_err(), "must be from 0 to 100");
        assert_eq!(percent("-1").unwrap_err(), "must be from 0 to 100");
    }

    #[test]
    fn rates_are_percent_per_minute() {
        assert_eq!(percent_per_minute("6"), Ok(6.0));
        assert_eq!(percent_per_minute("0.5"), Ok(0.5));
        for bad in ["101", "-1", "NaN", "inf", "fast"] {
            assert!(percent_per_minute(bad).is_err(), "{bad}");
        }
    }
}
