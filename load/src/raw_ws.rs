//! The least a server does to open a WebSocket: read the client's upgrade request and answer
//! it with `101`. The raw fan-out baseline does this once per connection and then writes
//! frame bytes, so its clients are the very WebSocket clients that read the server.
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Reads the request up to its blank line and answers it.
pub async fn answer_handshake(stream: &mut TcpStream) {
    let mut request = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    while !request.ends_with(b"\r\n\r\n") {
        let n = stream
            .read(&mut buf)
            .await
            .expect("read the upgrade request");
        assert!(n > 0, "the client hung up during its handshake");
        request.extend_from_slice(&buf[..n]);
    }
    let request = String::from_utf8_lossy(&request);
    let key = request
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim())
        })
        .expect("Sec-WebSocket-Key");
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        derive_accept_key(key.as_bytes())
    );
    stream
        .write_all(answer.as_bytes())
        .await
        .expect("answer the handshake");
}
