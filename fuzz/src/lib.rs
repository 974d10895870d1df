//! Helpers shared by the fuzz targets.

/// Splits fuzz input into chunks whose sizes are drawn from the input itself,
/// so a session target feeds a machine the same bytes in many different
/// splits (a machine must give the same events however its input is cut).
///
/// The first byte seeds the chunk sizes; the rest is the payload. Every byte of
/// the payload is in exactly one chunk, in order.
pub fn chunks(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let (seed, mut rest) = match data.split_first() {
        Some((seed, rest)) => (*seed, rest),
        None => (0, data),
    };
    let mut state = u32::from(seed) | 1;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // xorshift: cheap and deterministic, so a crash replays exactly.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let len = (state as usize % 64 + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(len);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::chunks;

    #[test]
    fn chunks_cover_the_payload_in_order() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let joined: Vec<u8> = chunks(&data).flatten().copied().collect();
        assert_eq!(joined, data[1..]);
        assert!(chunks(&data).count() > 1);
        assert_eq!(chunks(&[]).count(), 0);
    }
}
