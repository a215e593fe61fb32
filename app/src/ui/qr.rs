//! QR codes: what they hold, and (on the server) how they are drawn.
//!
//! Two kinds are printed or shown, each with a prefix so the counter's scanner (`public/scan/`)
//! tells them apart and never takes a pack's label for a rider's code: the rider's collection
//! code on My bookings, and the label on each pack. A plain value without a prefix (a
//! manufacturer's serial barcode, a code typed into another app) is still accepted where it
//! fits the field (see `scan.js`).

/// What the rider's QR holds before the code: `BSWAP:CODE:K7MX2Q`.
pub const CODE_PREFIX: &str = "BSWAP:CODE:";
/// What a pack's label holds before its serial: `BSWAP:PACK:BS-01-005`.
pub const PACK_PREFIX: &str = "BSWAP:PACK:";

/// `text` without `prefix` (compared without regard to case), as a hand-held scanner types a
/// QR code's whole text into the field that has the focus.
pub fn strip<'a>(text: &'a str, prefix: &str) -> &'a str {
    match text.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => &text[prefix.len()..],
        _ => text,
    }
}

/// `text` as an inline SVG QR code, drawn by the server so that it shows without JavaScript and
/// nothing of the encoder reaches the browser. One path (a rectangle per run of dark modules in a
/// row: `M{x} {y}h{run}v1h-{run}z`, which the browser flows read back) on a white square with
/// the standard four-module quiet zone; the page sizes it (`width: 100%`), and
/// `crispEdges` keeps the modules sharp at any size. Medium error correction: a screen's glare
/// or a scuffed label still reads. `label` is what a screen reader says.
#[cfg(feature = "ssr")]
pub fn svg(text: &str, label: &str) -> String {
    use qrcode::{Color, EcLevel, QrCode};
    use std::fmt::Write;
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        // Only a text longer than a QR code holds (kilobytes): ours are a few dozen bytes.
        return String::new();
    };
    const QUIET: usize = 4;
    let width = code.width();
    let side = width + 2 * QUIET;
    let colors = code.to_colors();
    let mut path = String::with_capacity(width * width);
    // One rectangle per run of dark modules in a row: a third of the bytes of one per module.
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
            _ = write!(path, "M{} {}h{run}v1h-{run}z", x + QUIET, y + QUIET);
            x += run;
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" role="img" aria-label="{label}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##,
        label = escape(label),
    )
}

/// The label as an attribute value: `&`, `<`, `>` and quotes escaped.
#[cfg(feature = "ssr")]
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_one_path_on_a_white_square_with_its_quiet_zone() {
        let text = format!("{CODE_PREFIX}K7MX2Q");
        let svg = svg(&text, "Collection code K7MX2Q");
        let modules = qrcode::QrCode::with_error_correction_level(&text, qrcode::EcLevel::M)
            .map(|c| c.width())
            .unwrap_or_default();
        // Upper-case letters, digits and ':' are QR's alphanumeric mode: version 1, 21 modules.
        assert_eq!(modules, 21);
        let side = modules + 8;
        assert!(svg.starts_with(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}""#
        )));
        assert!(svg.contains(r#"aria-label="Collection code K7MX2Q""#));
        assert_eq!(svg.matches("<path").count(), 1);
        // The top-left finder pattern's top row starts at the quiet zone's edge: 7 modules.
        assert!(svg.contains(r#"d="M4 4h7v1h-7z"#));
    }

    #[test]
    fn a_scanned_prefix_goes_and_anything_else_stays() {
        assert_eq!(strip("BSWAP:CODE:K7MX2Q", CODE_PREFIX), "K7MX2Q");
        assert_eq!(strip("bswap:pack:BS-01-005", PACK_PREFIX), "BS-01-005");
        assert_eq!(strip("K7MX2Q", CODE_PREFIX), "K7MX2Q");
        assert_eq!(strip("BSWAP:PACK:X", CODE_PREFIX), "BSWAP:PACK:X");
        assert_eq!(strip("BSW€", CODE_PREFIX), "BSW€");
    }

    #[test]
    fn labels_cannot_break_out_of_their_attribute() {
        let svg = svg("x", r#"a"><script>"#);
        assert!(svg.contains(r#"aria-label="a&quot;&gt;&lt;script&gt;""#));
    }
}
