//! Posting a signed delivery. The URL is checked again and its host resolved here,
//! and the connection goes to the address that was checked (pinned), so a DNS
//! answer that changes between the check and the connection (rebinding) cannot
//! reach a private address. Redirects are not followed.

use super::{Attempt, Destinations, address_allowed, check_url};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub struct Sender {
    pub destinations: Destinations,
    pub timeout: Duration,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

impl Sender {
    pub async fn post(&self, url: &str, headers: &[(&str, String)], body: String) -> (Posted, Attempt) {
        let started = Instant::now();
        let at = shared::clock::stored(chrono::Utc::now());
        let posted = match self.try_post(url, headers, body).await {
            Ok(status) => Posted { status_code: Some(status), error: None },
            Err(error) => Posted { status_code: None, error: Some(error) },
        };
        let attempt = Attempt {
            at,
            status_code: posted.status_code,
            error: posted.error.clone(),
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        (posted, attempt)
    }

    async fn try_post(&self, url: &str, headers: &[(&str, String)], body: String) -> Result<u16, String> {
        let target = check_url(url, self.destinations)?;
        let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
        let addresses: Vec<SocketAddr> = shared::outbound::timed(tokio::time::timeout(self.timeout, lookup))
            .await
            .map_err(|_| format!("could not resolve {} in time", target.host))?
            .map_err(|e| format!("could not resolve {}: {e}", target.host))?
            .collect();
        let address = addresses
            .iter()
            .copied()
            .find(|a| address_allowed(a.ip(), self.destinations))
            .ok_or_else(|| format!("{} resolves to no public address", target.host))?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent("ticketing-webhooks/1")
            // No proxy from the environment: the connection goes to the checked address.
            .no_proxy()
            .resolve(&target.host, address)
            .build()
            .map_err(describe)?;
        let mut request = client.post(target.url).header("content-type", "application/json").body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = shared::outbound::timed(request.send()).await.map_err(describe)?;
        Ok(response.status().as_u16())
    }
}

/// What went wrong, without the URL (it may carry the receiver's own token).
fn describe(err: reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "could not connect".into()
    } else {
        let mut text = err.without_url().to_string();
        text.truncate(200);
        text
    }
}
