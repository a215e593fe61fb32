//! Numbers the pages write, the same on the server and in the browser.

/// An SVG coordinate with one decimal (see [`fixed`]).
pub fn svg_number(v: f64) -> String {
    fixed(v, 1)
}

/// `v` with `decimals` decimals (at most 9), as `{v:.N}` writes it but for halves (rounded
/// away from zero), and without float formatting, which would add its tables to the wasm
/// bundle: anything the browser writes (coordinates, distances) goes through here, and server
/// and browser write the same text.
pub fn fixed(v: f64, decimals: u32) -> String {
    let scale = 10_i64.pow(decimals.min(9));
    let t = (v * scale as f64).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    let (whole, part) = (t.abs() / scale, t.abs() % scale);
    if decimals == 0 {
        return format!("{sign}{whole}");
    }
    format!(
        "{sign}{whole}.{part:0width$}",
        width = decimals.min(9) as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_numbers_have_one_decimal() {
        assert_eq!(svg_number(12.34), "12.3");
        assert_eq!(svg_number(-0.06), "-0.1");
        assert_eq!(fixed(52.520_04, 4), "52.5200");
        assert_eq!(fixed(13.405, 5), "13.40500");
        assert_eq!(fixed(-0.000_001, 5), "0.00000");
        assert_eq!(fixed(-12.345_67, 2), "-12.35");
        assert_eq!(fixed(1.96, 0), "2");
        assert_eq!(fixed(1449.0 / 1000.0, 1), "1.4");
    }
}
