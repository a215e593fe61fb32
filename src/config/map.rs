//! The street map on the station directory: whose tiles it draws, and the credit they require.
use clap::Args;

/// OpenStreetMap's standard tiles; their usage policy asks for the credit below and a real
/// `Referer`, which browsers send.
const OSM_TILES: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const OSM_CREDIT: &str =
    "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors";

#[derive(Debug, Clone, Args)]
pub struct Map {
    /// The map's tile URL template (`{z}`, `{x}`, `{y}`; `{s}` for a subdomain), `https://`
    /// or `http://`; the pages' Content-Security-Policy admits its host for images. Empty: no
    /// tiles (the markers still show, over a blank map).
    #[arg(
        long = "map-tiles",
        env = "BATTERY_SWAP_MAP_TILES",
        value_name = "URL",
        default_value = OSM_TILES,
        value_parser = tile_template
    )]
    pub tiles: String,

    /// The credit the tiles' provider requires, shown in the map's corner (HTML: links allowed).
    #[arg(
        long = "map-attribution",
        env = "BATTERY_SWAP_MAP_ATTRIBUTION",
        value_name = "HTML",
        default_value = OSM_CREDIT
    )]
    pub attribution: String,
}

impl Map {
    pub fn tiles(&self) -> app::station::map::MapTiles {
        app::station::map::MapTiles {
            url: self.tiles.clone(),
            attribution: self.attribution.clone(),
        }
    }
}

/// A tile template the map and the policy can use: empty, or `http(s)://host/…` naming
/// `{z}`, `{x}` and `{y}`.
fn tile_template(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Ok(String::new());
    }
    if app::station::map::tile_origin(value).is_none() {
        return Err("must start with https:// or http:// and a host".into());
    }
    for part in ["{z}", "{x}", "{y}"] {
        if !value.contains(part) {
            return Err(format!("must contain {part}"));
        }
    }
    if value.contains(['\'', ';', ' ', '"']) {
        return Err("must not contain quotes, spaces or ';'".into());
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_need_a_host_and_the_three_coordinates() {
        assert!(tile_template(OSM_TILES).is_ok());
        assert!(tile_template("").is_ok());
        assert!(tile_template("https://{s}.tiles.example/{z}/{x}/{y}.png").is_ok());
        assert!(tile_template("tile.example/{z}/{x}/{y}.png").is_err());
        assert!(tile_template("https://tiles.example/{z}/{x}.png").is_err());
        assert!(tile_template("https://tiles.example/{z}/{x}/{y}.png; script-src *").is_err());
    }
}
