//! Limits on the text users send, checked in the domain so that the database is never the first
//! to refuse (a NUL byte or an over-long value is a 500 there, and differs between SQLite and
//! PostgreSQL). Shared with the browser so forms can say the same thing early.
use crate::error::AppError;

/// A one-line value (a name, a serial, a label): trimmed, at most `max` characters, no control
/// characters. `required` refuses an empty value.
pub fn line(label: &str, value: &str, max: usize, required: bool) -> Result<String, AppError> {
    checked(label, value, max, required, |c| c.is_control())
}

/// A free-text value (a message, a reason): like [`line`], but line breaks and tabs are fine.
pub fn paragraph(label: &str, value: &str, max: usize, required: bool) -> Result<String, AppError> {
    checked(label, value, max, required, |c| {
        c.is_control() && !matches!(c, '\n' | '\r' | '\t')
    })
}

fn checked(
    label: &str,
    value: &str,
    max: usize,
    required: bool,
    refused: impl Fn(char) -> bool,
) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(AppError::validation(format!("{label} is required.")));
    }
    if value.chars().count() > max {
        return Err(AppError::validation(format!(
            "{label} is at most {max} characters."
        )));
    }
    if value.chars().any(refused) {
        return Err(AppError::validation(format!(
            "{label} contains characters that are not allowed."
        )));
    }
    Ok(value.to_string())
}

/// The first `most` items, comma-separated, and how many more there are: a list in an error
/// or an audit row that stays short whatever a client sent.
pub fn first_of<S: AsRef<str>>(items: &[S], most: usize) -> String {
    let shown: Vec<&str> = items.iter().take(most).map(AsRef::as_ref).collect();
    let shown = shown.join(", ");
    match items.len().saturating_sub(most) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut() {
        assert_eq!(first_of(&["a", "b"], 10), "a, b");
        assert_eq!(first_of(&["a", "b", "c"], 2), "a, b and 1 more");
    }

    #[test]
    fn lines_are_trimmed_bounded_and_printable() {
        assert_eq!(line("Name", "  Alpha ", 10, true).unwrap(), "Alpha");
        assert!(line("Name", "   ", 10, true).is_err());
        assert_eq!(line("Name", "", 10, false).unwrap(), "");
        assert!(line("Name", &"é".repeat(11), 10, true).is_err());
        assert!(line("Name", &"é".repeat(10), 10, true).is_ok());
        assert!(line("Name", "a\0b", 10, true).is_err());
        assert!(line("Name", "a\nb", 10, true).is_err());
        let err = line("A station name", &"x".repeat(500), 120, true).unwrap_err();
        assert_eq!(err.to_string(), "A station name is at most 120 characters.");
    }

    #[test]
    fn paragraphs_keep_line_breaks_but_not_nul() {
        assert!(paragraph("Message", "one\ntwo\tthree", 100, true).is_ok());
        assert!(paragraph("Message", "nul\0byte", 100, true).is_err());
    }
}
