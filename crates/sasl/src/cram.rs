//! CRAM-MD5 (RFC 2195 §2): HMAC-MD5 of the server's challenge.

use hmac::{KeyInit, Mac};
use md5::Md5;

/// HMAC-MD5 of the challenge keyed with the secret (RFC 2195 §2).
pub(crate) fn digest(secret: &str, challenge: &[u8]) -> [u8; 16] {
    match hmac::Hmac::<Md5>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(challenge);
            mac.finalize().into_bytes().into()
        }
        // HMAC takes keys of any length; unreachable in practice.
        Err(_) => [0; 16],
    }
}

/// The 32 hex digits of a digest (RFC 2195 §2 says lowercase; either case
/// is taken, the value is the same).
pub(crate) fn decode_hex_digest(hex: &[u8]) -> Option<[u8; 16]> {
    if hex.len() != 32 {
        return None;
    }
    let nibble = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}
