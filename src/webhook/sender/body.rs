//! Reading a destination's answer without trusting its size.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

/// Reads at most `cap` bytes. A small body is read to its end, which lets the
/// connection go back to the pool; a larger one is cut and its connection
/// dropped. A body that breaks midway keeps what arrived: the status line
/// already said what the destination decided.
pub(crate) async fn read_capped<E>(
    stream: impl Stream<Item = Result<Bytes, E>>,
    cap: usize,
) -> Vec<u8> {
    let mut stream = std::pin::pin!(stream);
    let mut read = Vec::new();
    while read.len() < cap {
        let Some(Ok(chunk)) = stream.next().await else {
            break;
        };
        let room = cap - read.len();
        read.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    read
}

/// The start of a body as text, at most `max` bytes, for the marketer's
/// "See error code" view. Not-UTF-8 bytes become U+FFFD; a character cut by the
/// limit is dropped whole rather than shown as garbage.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let mut end = body.len().min(max);
    // A UTF-8 character is at most 4 bytes, so at most 3 continuation bytes back.
    for _ in 0..3 {
        if end == 0 || end == body.len() || !is_continuation(body[end]) {
            break;
        }
        end -= 1;
    }
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
    // Each replacement character takes 3 bytes, so invalid input can grow.
    let mut limit = text.len().min(max);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    text.truncate(limit);
    text
}

fn is_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;
    use std::convert::Infallible;

    #[tokio::test]
    async fn an_endless_body_is_read_only_up_to_the_cap() {
        let endless =
            stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from_static(&[b'x'; 1000])));
        assert_eq!(read_capped(endless, 64 * 1024).await.len(), 64 * 1024);
    }

    #[tokio::test]
    async fn a_short_body_is_read_whole_and_a_broken_one_keeps_what_arrived() {
        let short = stream::iter([Ok::<_, Infallible>(Bytes::from_static(b"ok"))]);
        assert_eq!(read_capped(short, 100).await, b"ok");
        let broken = stream::iter([
            Ok(Bytes::from_static(b"par")),
            Err(()),
            Ok(Bytes::from_static(b"lost")),
        ]);
        assert_eq!(read_capped(broken, 100).await, b"par");
    }

    #[test]
    fn the_excerpt_never_splits_a_character_and_respects_the_limit() {
        assert_eq!(excerpt(b"hello", 2048), "hello");
        assert_eq!(excerpt("ééé".as_bytes(), 5), "éé");
        assert_eq!(excerpt("a€".as_bytes(), 3), "a");
        assert_eq!(excerpt("€".as_bytes(), 2), "");
        assert_eq!(excerpt(b"ok\xffok", 2048), "ok\u{fffd}ok");
        assert!(excerpt(&[0xff; 4000], 2048).len() <= 2048);
        assert_eq!(excerpt(&[b'a'; 10_000], 2048).len(), 2048);
    }
}
