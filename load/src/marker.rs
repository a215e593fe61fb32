//! The numbered changes the fan-out cases make: each a `station_status` whose message is
//! `load-<n>`, found again in the frames the subscribers receive (by the case itself and by the
//! fleet's subscriber processes).

/// The event number in a `station_status` frame whose message is `load-<n>`.
pub fn marker(text: &str) -> Option<usize> {
    let rest = &text[text.find("\"message\":\"load-")? + "\"message\":\"load-".len()..];
    rest[..rest.find('"')?].parse().ok()
}
