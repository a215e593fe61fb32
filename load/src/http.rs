//! A minimal keep-alive HTTP/1.1 client: what a browser does for a rider's clicks (one
//! connection, many requests), without a client library in the server's dependencies.
//! Bodies with `Content-Length` or chunked; no compression is asked for. Over plain TCP to an
//! instance, or over any other stream (TLS to nginx in `restarts`).
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::client;

pub struct Response {
    pub status: u16,
    /// `name=value` of each `Set-Cookie`.
    pub cookies: Vec<String>,
    pub body: String,
    /// The server said `Connection: close`: the connection ends after this answer.
    pub close: bool,
}

pub struct Conn<S = TcpStream> {
    stream: BufReader<S>,
    /// The `Host` header.
    host: String,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Conn {
        Conn::over(client::tcp(addr).await, addr.to_string())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    /// Requests over `stream`, naming `host`.
    pub fn over(stream: S, host: String) -> Conn<S> {
        Conn {
            stream: BufReader::new(stream),
            host,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str, cookie: Option<&str>) -> Response {
        self.request("GET", path, cookie, None).await
    }

    /// A form `POST /api/<name>`.
    pub async fn post(&mut self, name: &str, form: &str, cookie: Option<&str>) -> Response {
        self.request("POST", &format!("/api/{name}"), cookie, Some(form))
            .await
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> Response {
        self.try_request(method, path, &[], cookie, form)
            .await
            .expect("an HTTP response in time")
    }

    /// A request with extra `headers`; an error, not a panic, when the connection fails, ends
    /// or is silent for [`crate::WAIT`] (a client that retries decides what to do next).
    pub async fn try_request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> std::io::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if let Some(c) = cookie {
            head += &format!("Cookie: {c}\r\n");
        }
        for (name, value) in headers {
            head += &format!("{name}: {value}\r\n");
        }
        if let Some(f) = form {
            head += &format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                f.len()
            );
        }
        head += "\r\n";
        head += form.unwrap_or("");
        let io = async {
            self.stream.get_mut().write_all(head.as_bytes()).await?;
            self.stream.get_mut().flush().await?;
            self.read_response().await
        };
        tokio::time::timeout(crate::WAIT, io).await?
    }

    async fn line(&mut self) -> std::io::Result<String> {
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        Ok(line.trim_end().to_string())
    }

    async fn read_response(&mut self) -> std::io::Result<Response> {
        let status_line = self.line().await?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("no status line: {status_line:?}"),
                )
            })?;
        let (mut length, mut chunked, mut cookies, mut close) = (None, false, Vec::new(), false);
        loop {
            let line = self.line().await?;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.to_ascii_lowercase(), value.trim());
            match name.as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "set-cookie" => cookies.push(value.split(';').next().unwrap_or("").to_string()),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let size = usize::from_str_radix(self.line().await?.trim(), 16).unwrap_or(0);
                if size == 0 {
                    self.line().await?;
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                self.stream.read_exact(&mut body[start..]).await?;
                self.line().await?;
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.stream.read_exact(&mut body).await?;
        }
        Ok(Response {
            status,
            cookies,
            body: String::from_utf8_lossy(&body).into_owned(),
            close,
        })
    }
}
