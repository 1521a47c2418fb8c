//! read-user's hot path on plain `http://` targets: each worker owns one
//! HTTP/1.1 connection driven through hyper's connection API (no pool
//! lookup, no URL parse, no redirect or cookie machinery per request), so
//! the generator spends less per request than the server it measures. Every
//! request stays bounded: a timeout covering send and body, the body cap, and
//! a fresh connection (itself under the timeout) after any failure. Only
//! body-less `GET`s go this way; `https://` targets and every other request
//! use the pooled client of [`super::client`]. Never logs the token.

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HOST, HeaderMap, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::client::BODY_CAP;

/// A plain-HTTP target split for the connection API: where to connect, the
/// `Host` header and the base path requests are made under.
#[derive(Debug, Clone)]
pub struct Endpoint {
    host: String,
    port: u16,
    host_header: HeaderValue,
    base_path: String,
}

impl Endpoint {
    /// The endpoint of `base` when it is an `http://` URL without
    /// credentials or query; `None` otherwise (the caller uses the pooled
    /// client).
    pub fn parse(base: &str) -> Option<Self> {
        let url = reqwest::Url::parse(base).ok()?;
        if url.scheme() != "http" || !url.username().is_empty() || url.query().is_some() {
            return None;
        }
        let host = url.host_str()?.to_owned();
        let port = url.port_or_known_default()?;
        let host_header = match url.port() {
            Some(p) => HeaderValue::from_str(&format!("{host}:{p}")).ok()?,
            None => HeaderValue::from_str(&host).ok()?,
        };
        Some(Self {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            host_header,
            base_path: url.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The request target for `path` (which starts with `/`) under the base.
    pub fn uri(&self, path: &str) -> Option<Uri> {
        format!("{}{path}", self.base_path).parse().ok()
    }
}

/// One worker's connection, reopened after a failure.
pub struct Conn {
    endpoint: Endpoint,
    headers: HeaderMap,
    timeout: Duration,
    sender: Option<SendRequest<Empty<Bytes>>>,
}

impl Conn {
    /// A connection to `endpoint` sending `headers` (with `Host` added) on
    /// every request; opened on first use.
    pub fn new(endpoint: Endpoint, mut headers: HeaderMap, timeout: Duration) -> Self {
        headers.insert(HOST, endpoint.host_header.clone());
        Self {
            endpoint,
            headers,
            timeout,
            sender: None,
        }
    }

    async fn open(&self) -> Result<SendRequest<Empty<Bytes>>, String> {
        let stream = TcpStream::connect((self.endpoint.host.as_str(), self.endpoint.port))
            .await
            .map_err(|e| format!("no answer: connecting: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        // The connection task ends when the sender is dropped or the peer closes.
        tokio::spawn(conn);
        Ok(sender)
    }

    /// `GET uri`: the status, with the body read (up to [`BODY_CAP`]) and
    /// dropped. `Err` says why no usable answer came; the connection is then
    /// reopened on the next call.
    pub async fn get(&mut self, uri: &Uri) -> Result<u16, String> {
        match tokio::time::timeout(self.timeout, self.exchange(uri)).await {
            Ok(Ok(status)) => Ok(status),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                Err("timed out".to_owned())
            }
        }
    }

    async fn exchange(&mut self, uri: &Uri) -> Result<u16, String> {
        let sender = match self.sender.as_mut() {
            Some(s) if !s.is_closed() => s,
            _ => self.sender.insert(self.open().await?),
        };
        sender
            .ready()
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        let mut req = Request::new(Empty::<Bytes>::new());
        *req.method_mut() = Method::GET;
        *req.uri_mut() = uri.clone();
        *req.headers_mut() = self.headers.clone();
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        let status = resp.status().as_u16();
        let keep_alive = !resp
            .headers()
            .get(hyper::header::CONNECTION)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let mut body = resp.into_body();
        let mut read = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| format!("reading the body: {e}"))?;
            if let Some(data) = frame.data_ref() {
                read += data.len();
                if read > BODY_CAP {
                    return Err(format!("body larger than {BODY_CAP} bytes"));
                }
            }
        }
        if !keep_alive {
            self.sender = None;
        }
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_bases_take_the_fast_path() {
        let e = Endpoint::parse("http://127.0.0.1:8080/scim/v2/").expect("http");
        assert_eq!((e.host.as_str(), e.port), ("127.0.0.1", 8080));
        assert_eq!(e.host_header, "127.0.0.1:8080");
        assert_eq!(
            e.uri("/Users/abc").expect("uri").to_string(),
            "/scim/v2/Users/abc"
        );
        let d = Endpoint::parse("http://scim.example.com/v2").expect("default port");
        assert_eq!(
            (d.port, d.host_header.to_str().ok()),
            (80, Some("scim.example.com"))
        );
        let v6 = Endpoint::parse("http://[::1]:9000/scim").expect("ipv6");
        assert_eq!(v6.host, "::1");
        for other in [
            "https://app.example.com/scim/v2",
            "http://user:pw@app.example.com/scim",
            "http://app.example.com/scim?tenant=1",
            "not a url",
        ] {
            assert!(Endpoint::parse(other).is_none(), "{other}");
        }
    }
}
