//! RFC 6455 violations get their close code (1007 for text that is not UTF-8, 1002 for the
//! rest) before the TCP connection closes, and leave nothing behind. Spoken over a raw TCP
//! socket, since a WebSocket library will not send malformed frames.
use crate::support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens `/ws/stations/` by hand and reads the greeting frame.
async fn handshake(s: &battery_swap::Server) -> TcpStream {
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    let request = format!(
        "GET /ws/stations/ HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        s.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let (opcode, _) = read_frame(&mut tcp).await.expect("the greeting");
    assert_eq!(opcode, 1, "connection_established is a text frame");
    tcp
}

/// One server frame: its opcode and payload, or `None` at EOF.
async fn read_frame(tcp: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    tcp.read_exact(&mut head).await.ok()?;
    let len = match head[1] & 0x7F {
        126 => {
            let mut ext = [0u8; 2];
            tcp.read_exact(&mut ext).await.ok()?;
            u64::from(u16::from_be_bytes(ext))
        }
        127 => {
            let mut ext = [0u8; 8];
            tcp.read_exact(&mut ext).await.ok()?;
            u64::from_be_bytes(ext)
        }
        n => u64::from(n),
    };
    let mut payload = vec![0u8; usize::try_from(len).ok()?];
    tcp.read_exact(&mut payload).await.ok()?;
    Some((head[0] & 0x0F, payload))
}

/// The close code the server sends before the connection ends (`None`: it just hung up).
async fn close_code_after(tcp: &mut TcpStream) -> Option<u16> {
    tokio::time::timeout(WAIT, async {
        while let Some((opcode, payload)) = read_frame(tcp).await {
            if opcode == 8 {
                return payload
                    .get(..2)
                    .map(|code| u16::from_be_bytes([code[0], code[1]]));
            }
        }
        None
    })
    .await
    .expect("the server answers in time")
}

/// A client frame: `first` is FIN/RSV/opcode; masked unless `masked` is false.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![first];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => out.push(mask_bit | n as u8),
        n => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    if masked {
        let key = [0x12, 0x34, 0x56, 0x78];
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

fn violations() -> Vec<(&'static str, Vec<u8>, u16)> {
    vec![
        (
            "text that is not UTF-8",
            frame(0x81, &[0xFF, 0xFE, 0xFD], true),
            1007,
        ),
        (
            "an unmasked frame",
            frame(0x81, br#"{"type":"ping"}"#, false),
            1002,
        ),
        (
            "RSV1 without an extension",
            frame(0xC1, br#"{"type":"ping"}"#, true),
            1002,
        ),
        ("a reserved opcode", frame(0x83, b"x", true), 1002),
        (
            "a 200-byte control frame",
            frame(0x89, &[b'p'; 200], true),
            1002,
        ),
        (
            "a continuation with no start",
            frame(0x80, b"x", true),
            1002,
        ),
    ]
}

#[tokio::test]
async fn each_protocol_violation_gets_its_close_code() {
    let s = server().await;
    for (what, bytes, code) in violations() {
        let mut tcp = handshake(&s).await;
        tcp.write_all(&bytes).await.unwrap();
        assert_eq!(close_code_after(&mut tcp).await, Some(code), "{what}");
    }
}

#[tokio::test]
async fn violations_leave_no_socket_behind() {
    let mut cfg = config().await;
    cfg.sockets.connects_per_minute = 100_000;
    let s = start(cfg).await;
    let cases = violations();
    for round in 0..300 {
        let (_, bytes, _) = &cases[round % cases.len()];
        let mut tcp = handshake(&s).await;
        tcp.write_all(bytes).await.unwrap();
        close_code_after(&mut tcp).await;
    }
    let (sockets, hub) = (s.state.sockets.clone(), s.state.hub.clone());
    until(|| sockets.open() == 0 && hub.stats().subscribers == 0).await;
}
