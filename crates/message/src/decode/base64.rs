//! Lenient base64 (RFC 2045 §6.8) with a SIMD fast path for the common case.
//!
//! The semantics are those of a byte-at-a-time state ([`Base64Slow`]): bytes
//! outside the alphabet are skipped, `=` after two or three characters of a
//! group ends the data, a trailing partial group still yields its bytes. Two
//! faster paths must give exactly what that state gives (a proptest checks):
//!
//! - the block path: runs of whole lines made only of alphabet characters,
//!   each a whole number of groups, are copied without their line breaks
//!   into a bounded scratch buffer and handed to `base64_simd` (AVX2, SSSE3
//!   or NEON, picked at run time), which also checks every character;
//! - the scalar path: everything else (padding, garbage, spaces, a line that
//!   splits a group, a block the SIMD decoder refused) goes through
//!   pre-shifted tables 8 characters at a time and through the byte state
//!   wherever those cannot take the bytes.
//!
//! The block path only starts on a group boundary, and a refused block is
//! decoded again by the scalar path from where the block began, so each
//! input byte is looked at a bounded number of times.

use memchr::memchr;

const INVALID: u8 = 0xFF;

/// Base64 alphabet (RFC 2045 §6.8 Table 1) to 6-bit values.
static BASE64: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Pre-shifted base64 tables: `SHIFTED[k][c]` is the 6-bit value of `c`
/// placed for position `k` of a 4-character group, or `BAD` when `c` is
/// outside the alphabet, so a group decodes with four lookups and one test.
const BAD: u32 = 1 << 31;
static SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[BAD; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = BASE64[c];
        if v != INVALID {
            let v = v as u32;
            tables[0][c] = v << 18;
            tables[1][c] = v << 12;
            tables[2][c] = v << 6;
            tables[3][c] = v;
        }
        c += 1;
    }
    tables
};

/// Characters gathered per SIMD call: bounds the scratch buffer (and so the
/// memory a call takes besides its output) and the work redone by the
/// scalar path when a block is refused. A multiple of 4.
const BLOCK: usize = 32 * 1024;

/// Below this many bytes of input left the block path is not tried: the
/// scalar path is as fast on short runs and needs no scratch buffer.
const BLOCK_MIN: usize = 256;

/// Longest stretch the scalar path takes in one go while it waits to be back
/// on a group boundary at a line end; keeps its output slack bounded.
const SCALAR_STRETCH: usize = 4096;

#[inline(always)]
fn group(quad: [u8; 4]) -> u32 {
    SHIFTED[0][quad[0] as usize]
        | SHIFTED[1][quad[1] as usize]
        | SHIFTED[2][quad[2] as usize]
        | SHIFTED[3][quad[3] as usize]
}

/// The byte-at-a-time base64 state, the meaning every path must agree with.
struct Base64Slow {
    acc: u32,
    pending: u32,
    clean: bool,
    done: bool,
}

impl Base64Slow {
    fn new() -> Self {
        Base64Slow {
            acc: 0,
            pending: 0,
            clean: true,
            done: false,
        }
    }

    /// Feeds one byte; a completed group is written at `out[*w..]`.
    #[inline]
    fn push(&mut self, byte: u8, out: &mut [u8], w: &mut usize) {
        let value = BASE64[byte as usize];
        if value == INVALID {
            if byte == b'=' {
                if self.pending < 2 {
                    self.clean = false;
                } else {
                    self.done = true;
                }
            } else if !matches!(byte, b'\r' | b'\n' | b' ' | b'\t') {
                self.clean = false;
            }
            return;
        }
        self.acc = (self.acc << 6) | u32::from(value);
        self.pending += 1;
        if self.pending == 4 {
            out[*w..*w + 3].copy_from_slice(&self.acc.to_be_bytes()[1..]);
            *w += 3;
            self.acc = 0;
            self.pending = 0;
        }
    }

    /// Appends the bytes of a trailing partial group and says whether the
    /// whole input was clean.
    fn finish(self, out: &mut Vec<u8>) -> bool {
        match self.pending {
            0 => self.clean,
            1 => false,
            2 => {
                out.push((self.acc >> 4) as u8);
                self.clean
            }
            _ => {
                out.extend_from_slice(&((self.acc >> 2) as u16).to_be_bytes());
                self.clean
            }
        }
    }
}

/// Decodes base64, skipping line breaks and any other byte outside the
/// alphabet (RFC 2045 §6.8: "any characters outside of the base64 alphabet
/// are to be ignored"), stopping at padding. A trailing group of 2 or 3
/// characters still yields its 1 or 2 bytes. The output is appended to `out`.
///
/// Returns whether the input was clean (only the alphabet, whitespace and
/// correct padding).
///
/// Well-formed bodies (lines of whole groups, CRLF or LF) are decoded with
/// SIMD instructions where the CPU has them; anything else takes a scalar
/// path with the same result. Besides `out`, a call uses at most a 32 KiB
/// scratch buffer.
pub fn base64_into(input: &[u8], out: &mut Vec<u8>) -> bool {
    // The block path appends without zeroing, the scalar path zeroes only
    // the stretch it is about to overwrite; reserving the most they can
    // reach up front keeps `out` from ever moving the bytes decoded.
    out.reserve(input.len() / 4 * 3 + 2 * SCALAR_SLACK);
    let mut state = Base64Slow::new();
    let mut scratch = Vec::new();
    let mut i = 0;
    while i < input.len() && !state.done {
        let rest = &input[i..];
        let stretch = if state.pending == 0 && rest.len() >= BLOCK_MIN {
            if scratch.capacity() == 0 {
                scratch.reserve_exact(BLOCK.min(input.len()));
            }
            match simd_block(rest, &mut scratch, out) {
                Block::Decoded(taken) => {
                    i += taken;
                    continue;
                }
                Block::Refused(looked_at) => looked_at,
            }
        } else {
            // Off a group boundary: on to the next line end, where the
            // block path may take over again.
            let window = &rest[..rest.len().min(SCALAR_STRETCH)];
            memchr(b'\n', window).map_or(window.len(), |k| k + 1)
        };
        scalar_stretch(&rest[..stretch], &mut state, out);
        i += stretch;
    }
    state.finish(out)
}

/// Decodes base64 into a new vector; see [`base64_into`].
pub fn base64(input: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let clean = base64_into(input, &mut out);
    (out, clean)
}

/// What [`simd_block`] did with the start of its input.
enum Block {
    /// This many input bytes were decoded (and appended to the output).
    Decoded(usize),
    /// Nothing was decoded: the scalar path should take this many bytes
    /// (at least 1), all the block path looked at.
    Refused(usize),
}

/// One line of the block path: `content` alphabet characters (if the SIMD
/// decoder agrees), then `next - content` bytes of line break.
#[derive(Clone, Copy)]
struct Line {
    content: usize,
    next: usize,
}

/// Finds the line at the start of `window`, guessing first that it is as
/// long as the line before (`hint`) so the regular lines of an encoder cost
/// two byte compares instead of a search. A wrong guess is harmless: a
/// content that is not all alphabet characters is refused by the decoder.
#[inline]
fn next_line(window: &[u8], hint: Option<usize>) -> Option<Line> {
    if let Some(content) = hint {
        match window.get(content..content + 2) {
            Some([b'\r', b'\n']) => {
                return Some(Line {
                    content,
                    next: content + 2,
                });
            }
            Some([b'\n', _]) => {
                return Some(Line {
                    content,
                    next: content + 1,
                });
            }
            _ => {}
        }
    }
    let lf = memchr(b'\n', window)?;
    let content = if lf > 0 && window[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    Some(Line {
        content,
        next: lf + 1,
    })
}

/// The block path, called on a group boundary: gathers whole lines of whole
/// groups (no `=`) into `scratch` without their line breaks, up to [`BLOCK`]
/// characters, and decodes them with `base64_simd` into `out`. A stretch
/// with no line break at all is decoded where it is, [`BLOCK`] characters
/// at a time.
fn simd_block(rest: &[u8], scratch: &mut Vec<u8>, out: &mut Vec<u8>) -> Block {
    scratch.clear();
    let mut pos = 0;
    let mut hint = None;
    let direct = loop {
        let room = BLOCK - scratch.len();
        let window = &rest[pos..rest.len().min(pos + room + 2)];
        let Some(line) = next_line(window, hint) else {
            // No line break within reach: a long line, or the last one.
            if pos == 0 {
                let whole = window.len().min(room) / 4 * 4;
                if whole == 0 || window[whole - 1] == b'=' {
                    return Block::Refused(window.len());
                }
                break Some(whole);
            }
            break None;
        };
        let content = &window[..line.content];
        if line.content % 4 != 0 || content.last() == Some(&b'=') {
            // Padding, or a line that splits a group: scalar work.
            if pos == 0 {
                return Block::Refused(line.next);
            }
            break None;
        }
        scratch.extend_from_slice(content);
        pos += line.next;
        hint = Some(line.content);
        if pos == rest.len() || scratch.len() == BLOCK {
            break None;
        }
    };
    let (src, taken) = match direct {
        Some(whole) => (&rest[..whole], whole),
        None if scratch.is_empty() => return Block::Decoded(pos),
        None => (&scratch[..], pos),
    };
    // Appends without zeroing first; on an error `out` is left as it was.
    match base64_simd::STANDARD.decode_append(src, out) {
        Ok(()) => Block::Decoded(taken),
        Err(_) => Block::Refused(taken),
    }
}

/// Bytes past the decoded ones that the scalar path may touch (its 8-byte
/// stores and a group completed from characters carried in).
const SCALAR_SLACK: usize = 16;

/// The scalar path: decodes all of `input`, carrying `state` in and out
/// (the stretch may start and end inside a group), appending to `out`.
fn scalar_stretch(input: &[u8], state: &mut Base64Slow, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + input.len() / 4 * 3 + SCALAR_SLACK, 0);
    let written = scalar_decode(input, state, &mut out[start..]);
    out.truncate(start + written);
}

/// Writes into `out` (at least `input.len() / 4 * 3 + SCALAR_SLACK` long)
/// and returns the number of bytes written.
///
/// The fast loop takes 8 characters (two groups) at a time through the
/// pre-shifted tables with one validity test, and skips a line break between
/// groups; anything else (padding, garbage, a group split by a line break)
/// goes through the byte state until it is back on a group boundary.
fn scalar_decode(input: &[u8], state: &mut Base64Slow, out: &mut [u8]) -> usize {
    let len = input.len();
    let mut i = 0;
    let mut w = 0;
    while i < len && !state.done {
        // Back to a group boundary first. From there on `w` stays within
        // `i / 4 * 3 + 3` (3 for a group completed from carried characters),
        // which bounds the 8-byte stores below.
        while state.pending != 0
            && let Some(&byte) = input.get(i)
        {
            state.push(byte, out, &mut w);
            i += 1;
            if state.done {
                return w;
            }
        }
        while let Some((oct, _)) = input[i..].split_first_chunk::<8>() {
            let a = group([oct[0], oct[1], oct[2], oct[3]]);
            let b = group([oct[4], oct[5], oct[6], oct[7]]);
            if (a | b) & BAD != 0 {
                break;
            }
            let word = (u64::from(a) << 40) | (u64::from(b) << 16);
            out[w..w + 8].copy_from_slice(&word.to_be_bytes());
            w += 6;
            i += 8;
        }
        if let Some((quad, _)) = input[i..].split_first_chunk::<4>() {
            let a = group(*quad);
            if a & BAD == 0 {
                out[w..w + 4].copy_from_slice(&(a << 8).to_be_bytes());
                w += 3;
                i += 4;
                continue;
            }
        }
        match input.get(i..) {
            Some([b'\r', b'\n', ..]) => {
                i += 2;
                continue;
            }
            Some([b'\n', ..]) => {
                i += 1;
                continue;
            }
            _ => {}
        }
        // At least one byte through the state (the loop above then runs it
        // on to the next group boundary).
        if let Some(&byte) = input.get(i) {
            state.push(byte, out, &mut w);
            i += 1;
        }
    }
    w
}

/// The plain byte-at-a-time decoder every path must agree with; the tests
/// and the `message_parse` fuzz target compare [`base64`] with it.
pub(crate) fn base64_reference(input: &[u8]) -> (Vec<u8>, bool) {
    let mut state = Base64Slow::new();
    let mut out = vec![0; input.len() / 4 * 3 + 3];
    let mut w = 0;
    for &byte in input {
        state.push(byte, &mut out, &mut w);
        if state.done {
            break;
        }
    }
    out.truncate(w);
    let clean = state.finish(&mut out);
    (out, clean)
}

#[cfg(test)]
mod tests;
