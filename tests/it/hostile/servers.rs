//! Hostile servers: raw TCP on 127.0.0.1:0, one behaviour each.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

// ---- hostile servers ---------------------------------------------------

/// A raw TCP server on 127.0.0.1:0 running `behave` on every connection.
pub(super) struct Hostile {
    pub addr: SocketAddr,
    /// Connections accepted so far.
    pub accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    pub async fn start<F, Fut>(behave: F) -> Self
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(behave(stream));
            }
        });
        Self {
            addr,
            accepted,
            task,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}/scim/v2", self.addr)
    }

    /// Accepts connections and never sends a byte.
    pub async fn silent() -> Self {
        Self::start(|stream| async move {
            let _kept = stream;
            std::future::pending::<()>().await;
        })
        .await
    }

    /// Answers every request with the same bytes (keep-alive).
    pub async fn answering(response: String) -> Self {
        let response = Arc::new(response);
        Self::start(move |mut stream| {
            let response = Arc::clone(&response);
            async move {
                while read_request(&mut stream).await {
                    if stream.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        })
        .await
    }

    /// `429` with `Retry-After: 1` to everything.
    pub async fn throttling() -> Self {
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429"}"#;
        Self::answering(format!(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ))
        .await
    }

    /// A `200 application/scim+json` whose body never ends.
    pub async fn endless() -> Self {
        Self::start(|mut stream| async move {
            if !read_request(&mut stream).await {
                return;
            }
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nConnection: close\r\n\r\n{\"Resources\":[";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = "0,".repeat(32 * 1024);
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        })
        .await
    }

    /// Bytes that are not HTTP at all.
    pub async fn garbage() -> Self {
        Self::start(|mut stream| async move {
            let _ = read_request(&mut stream).await;
            let _ = stream
                .write_all(b"\x00\x13\xffSSH-2.0-not-http garbage\r\n\xde\xad\xbe\xef\r\n\r\n")
                .await;
            let _ = stream.shutdown().await;
        })
        .await
    }

    /// Writes an HTTP answer as soon as it accepts, before any request
    /// (what a TLS client sees talking to a plain HTTP port that answers).
    pub async fn eager() -> Self {
        Self::start(|mut stream| async move {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            let _ = stream.shutdown().await;
        })
        .await
    }

    /// A login page: `200 text/html`.
    pub async fn login_page() -> Self {
        let body = "<!DOCTYPE html>\n<html><head><title>Sign in · Example SSO</title></head>\n<body><form action=\"/login\" method=\"post\">…</form></body></html>";
        Self::answering(format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ))
        .await
    }

    /// `302` to `location` for everything.
    pub async fn redirecting(location: &str) -> Self {
        Self::answering(format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
        ))
        .await
    }
}

/// Reads one request (head and `Content-Length` body); false at EOF.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&byte[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - head_end;
    while have < length {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => have += n,
        }
    }
    true
}
