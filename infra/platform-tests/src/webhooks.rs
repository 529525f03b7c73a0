//! A webhook receiver for the platform tests: plain HTTP/1.1 on a loopback port,
//! one request per connection, refusing (503) its first N requests, recording
//! every request and what it answered.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request the receiver got, and what it answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
    pub answered: u16,
}

impl Received {
    pub fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Default)]
struct ReceiverState {
    /// Refuses (503) this many requests first.
    refuse_first: usize,
    received: Vec<Received>,
}

/// A webhook receiver on a loopback port: plain HTTP/1.1, one request per connection.
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    pub async fn start(refuse_first: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hooks", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(ReceiverState { refuse_first, received: vec![] }));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { return };
                tokio::spawn(serve(socket, shared.clone()));
            }
        });
        Receiver { url, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// The requests acknowledged (2xx), by webhook-id.
    pub fn acknowledged(&self) -> HashMap<String, Vec<Received>> {
        let mut by_id: HashMap<String, Vec<Received>> = HashMap::new();
        for r in self.received().into_iter().filter(|r| r.answered == 200) {
            by_id.entry(r.id().to_owned()).or_default().push(r);
        }
        by_id
    }

    /// Waits (a safety net of 180 s) until `count` distinct messages were acknowledged.
    pub async fn wait_for(&self, count: usize) -> HashMap<String, Vec<Received>> {
        let started = Instant::now();
        loop {
            let acknowledged = self.acknowledged();
            if acknowledged.len() >= count {
                // A little longer: a second delivery of one of them would show now.
                tokio::time::sleep(Duration::from_secs(3)).await;
                return self.acknowledged();
            }
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "{} of {count} messages acknowledged: {:?}",
                acknowledged.len(),
                self.received().iter().map(|r| (r.id().to_owned(), r.answered)).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn serve(mut socket: tokio::net::TcpStream, state: Arc<Mutex<ReceiverState>>) {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let (head_end, length) = loop {
        let Ok(n) = socket.read(&mut buffer).await else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buffer[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_string();
            let length = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while data.len() < head_end + length {
        let Ok(n) = socket.read(&mut buffer).await else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buffer[..n]);
    }
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = String::from_utf8_lossy(&data[head_end..head_end + length]).to_string();
    let answered = {
        let mut state = state.lock().unwrap();
        let answered = if state.refuse_first > 0 { 503 } else { 200 };
        state.refuse_first = state.refuse_first.saturating_sub(1);
        state.received.push(Received { headers, body, answered });
        answered
    };
    let reply = format!("HTTP/1.1 {answered} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = socket.write_all(reply.as_bytes()).await;
    let _ = socket.shutdown().await;
}
