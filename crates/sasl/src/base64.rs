//! Strict base64 (RFC 4648 §4, the standard alphabet with padding).
//!
//! Written here rather than taken from a crate: SASL needs one alphabet, one
//! strictness and a few dozen lines, and the workspace keeps this crate's
//! dependencies to hashing only. The decoder is total and canonical: it
//! rejects characters outside the alphabet, whitespace, missing or misplaced
//! padding, and non-zero pad bits (RFC 4648 §3.5), so every accepted input has
//! exactly one encoding and `encode(decode(x)) == x`.

use thiserror::Error;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why a base64 text was refused (RFC 4648 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Base64Error {
    /// The length is not a multiple of four (RFC 4648 §4 requires padding).
    #[error("base64 length {0} is not a multiple of 4")]
    Length(usize),
    /// A byte outside the base64 alphabet, or `=` before the end.
    #[error("invalid base64 byte 0x{byte:02x} at offset {offset}")]
    InvalidByte {
        /// Offset of the byte in the input.
        offset: usize,
        /// The byte itself.
        byte: u8,
    },
    /// The bits after the last full octet are not zero (RFC 4648 §3.5), so
    /// the text is not the canonical encoding of any octets.
    #[error("base64 pad bits are not zero")]
    NonCanonical,
}

/// The length of the base64 text for `len` octets.
pub const fn encoded_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

/// Appends the base64 encoding of `data` to `out`.
pub fn encode_into(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(encoded_len(data.len()));
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        out.extend_from_slice(&[
            ALPHABET[(n >> 18) as usize & 63],
            ALPHABET[(n >> 12) as usize & 63],
            ALPHABET[(n >> 6) as usize & 63],
            ALPHABET[n as usize & 63],
        ]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[
                ALPHABET[(n >> 18) as usize & 63],
                ALPHABET[(n >> 12) as usize & 63],
                b'=',
                b'=',
            ]);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[
                ALPHABET[(n >> 18) as usize & 63],
                ALPHABET[(n >> 12) as usize & 63],
                ALPHABET[(n >> 6) as usize & 63],
                b'=',
            ]);
        }
        _ => {}
    }
}

/// The base64 encoding of `data` as a `String`.
pub fn encode(data: &[u8]) -> String {
    let mut out = Vec::with_capacity(encoded_len(data.len()));
    encode_into(data, &mut out);
    // The alphabet is ASCII, so this never replaces anything.
    String::from_utf8_lossy(&out).into_owned()
}

fn value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes strict base64; the empty text decodes to no octets.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Base64Error> {
    if !text.len().is_multiple_of(4) {
        return Err(Base64Error::Length(text.len()));
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let quads = text.len() / 4;
    for (index, quad) in text.chunks_exact(4).enumerate() {
        let last = index + 1 == quads;
        let base = index * 4;
        let pad = if last {
            quad.iter().rev().take_while(|&&b| b == b'=').count()
        } else {
            0
        };
        if pad > 2 {
            return Err(Base64Error::InvalidByte {
                offset: base + 1,
                byte: b'=',
            });
        }
        let mut n: u32 = 0;
        for (i, &byte) in quad[..4 - pad].iter().enumerate() {
            let v = value(byte).ok_or(Base64Error::InvalidByte {
                offset: base + i,
                byte,
            })?;
            n |= u32::from(v) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = 3 - pad;
        // Bits below the last kept octet must be zero (RFC 4648 §3.5).
        if n & (0xff_ffff >> (8 * keep)) != 0 {
            return Err(Base64Error::NonCanonical);
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 4648 §10 test vectors.
    #[test]
    fn rfc4648_section_10_vectors() {
        let rows: &[(&str, &str)] = &[
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in rows {
            assert_eq!(encode(plain.as_bytes()), *encoded, "encode {plain:?}");
            assert_eq!(
                decode(encoded.as_bytes()).unwrap(),
                plain.as_bytes(),
                "decode {encoded:?}"
            );
        }
    }

    /// Malformed rows: RFC 4648 §3.2 (padding), §3.3 (non-alphabet), §3.5 (canonical).
    #[test]
    fn strict_rejections() {
        let rows: &[(&str, Base64Error)] = &[
            ("Zg", Base64Error::Length(2)),
            ("Zg=", Base64Error::Length(3)),
            ("Zm9v\r\n", Base64Error::Length(6)),
            (
                "Zm 9",
                Base64Error::InvalidByte {
                    offset: 2,
                    byte: b' ',
                },
            ),
            (
                "Zg==Zm9v",
                Base64Error::InvalidByte {
                    offset: 2,
                    byte: b'=',
                },
            ),
            (
                "Z===",
                Base64Error::InvalidByte {
                    offset: 1,
                    byte: b'=',
                },
            ),
            (
                "====",
                Base64Error::InvalidByte {
                    offset: 1,
                    byte: b'=',
                },
            ),
            ("Zm9=", Base64Error::NonCanonical),
            ("Zh==", Base64Error::NonCanonical),
            (
                "Zm-v",
                Base64Error::InvalidByte {
                    offset: 2,
                    byte: b'-',
                },
            ),
            (
                "Zm_v",
                Base64Error::InvalidByte {
                    offset: 2,
                    byte: b'_',
                },
            ),
            (
                "Z=9v",
                Base64Error::InvalidByte {
                    offset: 1,
                    byte: b'=',
                },
            ),
        ];
        for (text, error) in rows {
            assert_eq!(decode(text.as_bytes()), Err(*error), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let text = encode(&data);
            prop_assert_eq!(text.len(), encoded_len(data.len()));
            prop_assert_eq!(decode(text.as_bytes()).unwrap(), data);
        }

        #[test]
        fn decode_is_total_and_canonical(text in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(data) = decode(&text) {
                let again = encode(&data);
                prop_assert_eq!(again.as_bytes(), &text[..]);
            }
        }
    }
}
