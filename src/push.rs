//! Pushing notifications to devices (issue #31): every instance claims what is still to push
//! (`app::push::ssr::outbox`), encrypts it to each of the user's devices (RFC 8291's
//! `aes128gcm`), signs for the push service with the server's VAPID key (RFC 8292) and posts
//! it. A device its push service says is gone (404, 410, or 403: made for another key) is
//! forgotten; a push it refuses (400, 413) is not sent again; any other failure is tried again
//! later, a few times. The keys are made at the first start and kept in the database.
use std::sync::Arc;
use std::time::Duration;

use app::context::Ctx;
use app::push::PushServices;
use app::push::ssr::entity::device;
use app::push::ssr::outbox::{self, Claimed};
use app::push::ssr::{devices, keys, payload};
use axum::body::Bytes;
use base64ct::{Base64UrlUnpadded, Encoding};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};
use web_push_native::{Auth, WebPushBuilder, p256::PublicKey};

use crate::BoxError;

/// How often an instance looks for something to push; a push waits at most this long.
const EVERY: Duration = Duration::from_millis(500);
/// Pushes claimed, and posted, at once: a round takes at most [`TIMEOUT`], well within a claim.
const BATCH: u64 = 32;
/// A push service that has not answered in this long is tried again later.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a push service keeps a push for a device that is off (its `TTL`): a reminder
/// older than this is no use.
const KEEP_FOR: Duration = Duration::from_secs(60 * 60);

/// The server's side of pushing: its key, who it says it is, and its HTTP client.
#[derive(Clone)]
pub struct Pusher {
    key: Arc<ES256KeyPair>,
    contact: Arc<str>,
    services: PushServices,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Pusher {
    /// The kept VAPID key, made and stored first if there is none yet.
    pub async fn start(
        ctx: &Ctx,
        contact: String,
        services: PushServices,
    ) -> Result<Pusher, BoxError> {
        let fresh = ES256KeyPair::generate();
        let private = Base64UrlUnpadded::encode_string(&fresh.to_bytes());
        let public = Base64UrlUnpadded::encode_string(
            &fresh.public_key().public_key().to_bytes_uncompressed(),
        );
        let (private, _) = keys::kept_or(&ctx.db, (private, public)).await?;
        let key = ES256KeyPair::from_bytes(&Base64UrlUnpadded::decode_vec(&private)?)?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Pusher {
            key: Arc::new(key),
            contact: contact.into(),
            services,
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    /// Pushes until `stop`; shutdown waits for a round under way (`tasks`).
    pub fn spawn(self, ctx: Ctx, stop: CancellationToken, tasks: &TaskTracker) {
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tick.tick() => {
                        if let Err(e) = self.round(&ctx).await {
                            tracing::warn!(error = %e, "pushing failed");
                        }
                    }
                }
            }
        });
    }

    /// One round: everything due, claimed and pushed, batch by batch. An idle instance only
    /// reads.
    async fn round(&self, ctx: &Ctx) -> Result<(), BoxError> {
        while outbox::any_due(&ctx.db, chrono::Utc::now()).await? {
            let claimed = outbox::claim(&ctx.db, chrono::Utc::now(), BATCH).await?;
            if claimed.is_empty() {
                return Ok(());
            }
            let pushed = futures::future::join_all(claimed.iter().map(|c| self.push(ctx, c))).await;
            pushed.into_iter().collect::<Result<Vec<()>, BoxError>>()?;
        }
        Ok(())
    }

    /// One notification to one device, and what its push service's answer means for the row.
    async fn push(&self, ctx: &Ctx, claimed: &Claimed) -> Result<(), BoxError> {
        let device = &claimed.device;
        match self.send(device, &payload(&claimed.notification)).await {
            Sent::Delivered => outbox::done(&ctx.db, claimed).await?,
            Sent::Gone(why) => {
                tracing::info!(device = device.id, %why, "push device forgotten");
                // Its rows go with it.
                devices::forget(&ctx.db, device.id).await?;
            }
            Sent::Refused(why) => {
                tracing::warn!(device = device.id, %why, "push refused; not sent again");
                outbox::done(&ctx.db, claimed).await?;
            }
            Sent::Later(why) => {
                tracing::warn!(device = device.id, %why, "push not delivered; trying again later");
                outbox::later(&ctx.db, claimed, chrono::Utc::now()).await?;
            }
        }
        Ok(())
    }

    async fn send(&self, device: &device::Model, body: &str) -> Sent {
        if !self.services.admit(&device.endpoint) {
            return Sent::Gone("its push service is no longer listed (--push-services)".into());
        }
        let request = match self.request(device, body) {
            Ok(request) => request,
            Err(e) => return Sent::Gone(format!("its subscription cannot be used: {e}")),
        };
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        match tokio::time::timeout(TIMEOUT, self.client.request(request)).await {
            Err(_) => Sent::Later("no answer in time".into()),
            Ok(Err(e)) => Sent::Later(e.to_string()),
            Ok(Ok(response)) => {
                let status = response.status();
                match status.as_u16() {
                    200..=299 => Sent::Delivered,
                    // Gone, or made for another server key: this device will take no push.
                    403 | 404 | 410 => Sent::Gone(format!("its push service answered {status}")),
                    // Malformed or too large: the same push would be refused again.
                    400 | 413 => Sent::Refused(format!("its push service answered {status}")),
                    _ => Sent::Later(format!("its push service answered {status}")),
                }
            }
        }
    }

    /// The encrypted, signed request for `device`.
    fn request(
        &self,
        device: &device::Model,
        body: &str,
    ) -> Result<http::Request<Vec<u8>>, BoxError> {
        let public = PublicKey::from_sec1_bytes(&Base64UrlUnpadded::decode_vec(&device.p256dh)?)?;
        let auth = Base64UrlUnpadded::decode_vec(&device.auth)?;
        if auth.len() != 16 {
            return Err("the auth secret is not 16 bytes".into());
        }
        let builder = WebPushBuilder::new(
            device.endpoint.parse()?,
            public,
            Auth::clone_from_slice(&auth),
        )
        .with_valid_duration(KEEP_FOR)
        .with_vapid(&self.key, &self.contact);
        Ok(builder.build(body.as_bytes().to_vec())?)
    }
}

/// How a push to one device went.
enum Sent {
    Delivered,
    /// The device is gone: forgotten.
    Gone(String),
    /// This push is refused for good: not sent again.
    Refused(String),
    /// Tried again later.
    Later(String),
}
