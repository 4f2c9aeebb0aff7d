//! Sockets and framing. A server is a function of (listener, state, shutdown).
//!
//! Each connection has a reader, which decodes requests and dispatches them in
//! arrival order, and a writer, which sends the responses in that same order
//! (clients pipeline requests and match responses by position as well as by
//! correlation id). Work that waits (a Fetch long poll, an fsync for acks=all)
//! is handed to the writer as a future, so the reader keeps going and one fsync
//! can cover several pipelined produce requests.
//!
//! Untrusted bytes: a frame over `socket.request.max.bytes`, a header that does
//! not decode, an unknown API or unsupported version (other than ApiVersions, which
//! is always answered per KIP-511), or a body that does not decode closes that
//! one connection with a log line. Nothing a peer sends can stop the broker.

use crate::handlers::{self, Reply};
use crate::state::BrokerState;
use bytes::{Buf, Bytes, BytesMut};
use futures::future::BoxFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// How many responses may be pending per connection before the reader waits.
const MAX_IN_FLIGHT: usize = 64;

/// Accepts connections until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    state: Arc<BrokerState>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let state = state.clone();
                    let shutdown = shutdown.clone();
                    tokio::spawn(async move { connection(stream, peer, state, shutdown).await });
                }
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            },
            _ = shutdown.changed() => break,
        }
    }
}

enum Pending {
    Ready(Bytes),
    Waiting(BoxFuture<'static, Option<Bytes>>),
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    state: Arc<BrokerState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let (mut reader, writer) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<Pending>(MAX_IN_FLIGHT);
    let writer_task = tokio::spawn(async move {
        let mut out = BufWriter::with_capacity(256 * 1024, writer);
        while let Some(p) = rx.recv().await {
            let bytes = match p {
                Pending::Ready(b) => Some(b),
                Pending::Waiting(f) => f.await,
            };
            let Some(bytes) = bytes else { continue };
            if out.write_all(&bytes).await.is_err() {
                return;
            }
            if rx.is_empty() && out.flush().await.is_err() {
                return;
            }
        }
        let _ = out.flush().await;
    });

    let max = state.config.max_request_bytes;
    // Kafka reports hosts as Java's InetAddress.toString(): "/127.0.0.1".
    let client_host = format!("/{}", peer.ip());
    loop {
        let len = tokio::select! {
            r = reader.read_i32() => match r {
                Ok(len) => len,
                Err(_) => break, // closed by peer
            },
            _ = shutdown.changed() => break,
        };
        if len < 8 || len as usize > max {
            tracing::warn!(%peer, frame_bytes = len, limit = max, "closing connection: frame size out of bounds");
            break;
        }
        let mut frame = BytesMut::zeroed(len as usize);
        if reader.read_exact(&mut frame).await.is_err() {
            tracing::debug!(%peer, "connection closed mid-frame");
            break;
        }
        let frame = frame.freeze();
        let reply = match handlers::handle_frame(&state, frame, &client_host).await {
            Ok(reply) => reply,
            Err(reason) => {
                tracing::warn!(%peer, %reason, "closing connection");
                break;
            }
        };
        let pending = match reply {
            Reply::Now(bytes) => Pending::Ready(bytes),
            Reply::Later(f) => Pending::Waiting(f),
            Reply::None => continue,
        };
        if tx.send(pending).await.is_err() {
            break;
        }
    }
    drop(tx);
    // Let already-accepted requests finish and their responses go out.
    let _ = writer_task.await;
}

/// Reads (api_key, api_version, correlation_id) from the start of a frame.
pub fn peek_header(frame: &[u8]) -> Option<(i16, i16, i32)> {
    if frame.len() < 8 {
        return None;
    }
    let mut b = frame;
    Some((b.get_i16(), b.get_i16(), b.get_i32()))
}
