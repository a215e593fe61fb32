//! A minimal keep-alive HTTP/1.1 client: what a browser does for a rider's clicks (one
//! connection, many requests), without a client library in the server's dependencies.
//! Bodies with `Content-Length` or chunked; no compression is asked for.
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::client;

pub struct Response {
    pub status: u16,
    /// `name=value` of each `Set-Cookie`.
    pub cookies: Vec<String>,
    pub body: String,
}

pub struct Conn {
    stream: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Conn {
        Conn {
            stream: BufReader::new(client::tcp(addr).await),
            addr,
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
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        if let Some(c) = cookie {
            head += &format!("Cookie: {c}\r\n");
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
            self.read_response().await
        };
        tokio::time::timeout(crate::WAIT, io)
            .await
            .expect("the server answers in time")
            .expect("an HTTP response")
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
            .unwrap_or(0);
        let (mut length, mut chunked, mut cookies) = (None, false, Vec::new());
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
        })
    }
}
