//! Web Push: which push services devices may name, and who we say we are to them.
use clap::Args;

/// The push services of Chrome and Android, Firefox, Edge and Safari.
const PUSH_SERVICES: &str = "https://fcm.googleapis.com,https://updates.push.services.mozilla.com,https://*.notify.windows.com,https://web.push.apple.com";

#[derive(Debug, Clone, Args)]
pub struct Push {
    /// Push services a device's subscription may name (comma-separated origins; `*.` for
    /// subdomains). The server posts to no other address, whatever a browser sends it.
    #[arg(
        long = "push-services",
        env = "BATTERY_SWAP_PUSH_SERVICES",
        value_name = "ORIGINS",
        value_delimiter = ',',
        default_value = PUSH_SERVICES
    )]
    pub services: Vec<String>,

    /// Who sends the pushes, for the push services (VAPID's `sub`): a `mailto:` or `https:`
    /// address they can reach the operator at.
    #[arg(
        long = "push-contact",
        env = "BATTERY_SWAP_PUSH_CONTACT",
        value_name = "URI",
        default_value = "mailto:operations@localhost",
        value_parser = contact
    )]
    pub contact: String,
}

impl Push {
    pub fn services(&self) -> app::push::PushServices {
        let listed = self
            .services
            .iter()
            .map(|s| s.trim().trim_end_matches('/').to_string());
        app::push::PushServices(listed.filter(|s| !s.is_empty()).collect())
    }
}

fn contact(value: &str) -> Result<String, String> {
    if value.starts_with("mailto:") || value.starts_with("https://") {
        Ok(value.to_string())
    } else {
        Err("must be a mailto: or https:// address".into())
    }
}
