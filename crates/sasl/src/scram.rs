//! SCRAM-SHA-256 (RFC 5802, RFC 7677): the key derivation, the stored
//! credentials a server verifies against, and the attribute syntax.
//!
//! ```text
//! ; RFC 5802 §7
//! saslname        = 1*(value-safe-char / "=2C" / "=3D")
//! gs2-cbind-flag  = ("p=" cb-name) / "n" / "y"
//! gs2-header      = gs2-cbind-flag "," [ authzid ] ","
//! client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
//! server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
//! client-final-message-without-proof = channel-binding "," nonce ["," extensions]
//! client-final-message = client-final-message-without-proof "," proof
//! server-final-message = (server-error / verifier) ["," extensions]
//! printable       = %x21-2B / %x2D-7E   ; any printable ASCII except ","
//! ```

use std::fmt;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::base64;
use crate::saslprep::{SaslPrepError, saslprep};
use crate::secret::Secret;

/// The SHA-256 output length, the size of every SCRAM-SHA-256 key.
pub const KEY_LEN: usize = 32;

/// The iteration count RFC 7677 §4 sets as the minimum a server should use.
pub const MIN_ITERATIONS: u32 = 4096;

/// The largest iteration count the client side accepts from a server, so a
/// hostile server cannot make a client spin: 2^20 PBKDF2 rounds are a few
/// hundred milliseconds today.
pub const MAX_ITERATIONS: u32 = 1 << 20;

type HmacSha256 = hmac::Hmac<Sha256>;

pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; KEY_LEN] {
    // HMAC takes keys of any length, so this never fails.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return [0; KEY_LEN];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

pub(crate) fn sha256(data: &[u8]) -> [u8; KEY_LEN] {
    Sha256::digest(data).into()
}

pub(crate) fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

pub(crate) fn client_key(salted: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    hmac_sha256(salted, &[b"Client Key"])
}

pub(crate) fn server_key(salted: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    hmac_sha256(salted, &[b"Server Key"])
}

pub(crate) fn xor(a: &[u8; KEY_LEN], b: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// What a server stores for a SCRAM-SHA-256 user instead of the password
/// (RFC 5802 §3): the salt, the iteration count, StoredKey = H(ClientKey) and
/// ServerKey. Knowing them lets a server verify a client and prove itself,
/// but not log in as the user elsewhere (the ClientKey is not derivable).
///
/// `Debug` shows the salt and iteration count but redacts the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramCredentials {
    salt: Vec<u8>,
    iterations: u32,
    stored_key: [u8; KEY_LEN],
    server_key: [u8; KEY_LEN],
}

impl ScramCredentials {
    /// Derives the stored credentials from a password, for provisioning a
    /// user. The password goes through SASLprep (see [`crate::saslprep`]).
    /// The salt should be random (16 octets or more) and unique per user; the
    /// iteration count at least [`MIN_ITERATIONS`] (RFC 7677 §4). Cost grows
    /// linearly with `iterations`; 0 is treated as 1.
    pub fn derive(password: &Secret, salt: &[u8], iterations: u32) -> Result<Self, SaslPrepError> {
        let iterations = iterations.max(1);
        let prepared = saslprep(password.expose())?;
        let salted = salted_password(prepared.as_bytes(), salt, iterations);
        Ok(Self {
            salt: salt.to_vec(),
            iterations,
            stored_key: sha256(&client_key(&salted)),
            server_key: server_key(&salted),
        })
    }

    /// Decoy credentials for a user name that does not exist, so a SCRAM
    /// exchange for it runs to the proof and fails there like a wrong
    /// password instead of failing at once (which would tell a prober which
    /// names exist; RFC 5802 §5.1 asks servers to hide this). The salt and
    /// keys are HMACs of the name under `server_secret` (a random value the
    /// server keeps), so the same name always gets the same salt, and no
    /// password matches them.
    pub fn decoy(server_secret: &[u8], username: &str, iterations: u32) -> Self {
        let salt = hmac_sha256(server_secret, &[b"salt\0", username.as_bytes()]);
        Self {
            salt: salt[..16].to_vec(),
            iterations: iterations.max(1),
            stored_key: hmac_sha256(server_secret, &[b"stored\0", username.as_bytes()]),
            server_key: hmac_sha256(server_secret, &[b"server\0", username.as_bytes()]),
        }
    }

    /// Builds credentials from stored parts (for example read from a user
    /// database).
    pub fn from_parts(
        salt: Vec<u8>,
        iterations: u32,
        stored_key: [u8; KEY_LEN],
        server_key: [u8; KEY_LEN],
    ) -> Self {
        Self {
            salt,
            iterations: iterations.max(1),
            stored_key,
            server_key,
        }
    }

    /// The salt.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// StoredKey = H(HMAC(SaltedPassword, "Client Key")).
    pub fn stored_key(&self) -> &[u8; KEY_LEN] {
        &self.stored_key
    }

    /// ServerKey = HMAC(SaltedPassword, "Server Key").
    pub fn server_key(&self) -> &[u8; KEY_LEN] {
        &self.server_key
    }

    /// The RFC 5803 text form, as Dovecot, Cyrus and OpenLDAP store it:
    /// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, each
    /// binary value in base64.
    pub fn to_rfc5803(&self) -> String {
        format!(
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            base64::encode(&self.salt),
            base64::encode(&self.stored_key),
            base64::encode(&self.server_key)
        )
    }

    /// Parses the RFC 5803 text form written by [`Self::to_rfc5803`]; `None`
    /// if it is not that form.
    pub fn from_rfc5803(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let iterations: u32 = iterations.parse().ok().filter(|&i| i > 0)?;
        let salt = base64::decode(salt.as_bytes()).ok()?;
        let stored_key = base64::decode(stored.as_bytes()).ok()?.try_into().ok()?;
        let server_key = base64::decode(server.as_bytes()).ok()?.try_into().ok()?;
        Some(Self {
            salt,
            iterations,
            stored_key,
            server_key,
        })
    }
}

impl fmt::Debug for ScramCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramCredentials")
            .field("salt", &base64::encode(&self.salt))
            .field("iterations", &self.iterations)
            .field("stored_key", &"<redacted>")
            .field("server_key", &"<redacted>")
            .finish()
    }
}

/// Whether `nonce` is a valid SCRAM nonce part: one or more `printable`
/// characters (RFC 5802 §7), that is ASCII 0x21..=0x7E except `,`.
pub(crate) fn is_valid_nonce(nonce: &[u8]) -> bool {
    !nonce.is_empty()
        && nonce
            .iter()
            .all(|&b| (0x21..=0x7E).contains(&b) && b != b',')
}

/// Decodes a `saslname` (RFC 5802 §5.1): `=2C` is `,` and `=3D` is `=`; any
/// other `=` or a `,` makes it invalid.
pub(crate) fn decode_saslname(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    if text.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['=', ',', '\0']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("=2C") {
            out.push(',');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("=3D") {
            out.push('=');
            rest = after;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Encodes a `saslname` (RFC 5802 §5.1).
pub(crate) fn encode_saslname(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

/// Splits `data` into `attr=value` pairs at commas; returns `None` unless
/// every part has a one-letter attribute followed by `=`.
pub(crate) fn attributes(data: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    data.split(|&b| b == b',')
        .map(|part| match part {
            [attr, b'=', value @ ..] if attr.is_ascii_alphabetic() => Some((*attr, value)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677 §3: user "user", password "pencil", salt
    /// `W22ZaJ0SNY7soEsUEjb6gQ==`, 4096 iterations.
    #[test]
    fn rfc7677_keys_verify_the_example_proof() {
        let salt = base64::decode(b"W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let creds = ScramCredentials::derive(&Secret::new("pencil"), &salt, 4096).unwrap();
        let auth_message = b"n=user,r=rOprNGfwEbeRWgbNEkqO,\
r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,\
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let signature = hmac_sha256(creds.stored_key(), &[auth_message]);
        let proof = base64::decode(b"dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").unwrap();
        let proof: [u8; KEY_LEN] = proof.try_into().unwrap();
        assert_eq!(&sha256(&xor(&proof, &signature)), creds.stored_key());
        let server_signature = hmac_sha256(creds.server_key(), &[auth_message]);
        assert_eq!(
            base64::encode(&server_signature),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
    }

    #[test]
    fn rfc5803_round_trip_and_debug_redacts() {
        let creds = ScramCredentials::derive(&Secret::new("pencil"), b"salt", 4096).unwrap();
        let text = creds.to_rfc5803();
        assert!(text.starts_with("SCRAM-SHA-256$4096:c2FsdA==$"));
        assert_eq!(ScramCredentials::from_rfc5803(&text), Some(creds.clone()));
        assert_eq!(
            ScramCredentials::from_rfc5803("SCRAM-SHA-256$0:c2FsdA==$AA==:AA=="),
            None
        );
        assert_eq!(
            ScramCredentials::from_rfc5803("SCRAM-SHA-1$4096:c2FsdA==$AA==:AA=="),
            None
        );
        let shown = format!("{creds:?}");
        assert!(shown.contains("redacted") && !shown.contains(&base64::encode(creds.stored_key())));
    }

    /// RFC 5802 §5.1 saslname escaping.
    #[test]
    fn saslname_rows() {
        assert_eq!(decode_saslname(b"user").as_deref(), Some("user"));
        assert_eq!(decode_saslname(b"a=2Cb=3Dc").as_deref(), Some("a,b=c"));
        assert_eq!(decode_saslname(b"a=2cb"), None);
        assert_eq!(decode_saslname(b"a=b"), None);
        assert_eq!(decode_saslname(b"a="), None);
        assert_eq!(decode_saslname(b""), None);
        assert_eq!(decode_saslname(b"\xff"), None);
        assert_eq!(encode_saslname("a,b=c"), "a=2Cb=3Dc");
        assert!(is_valid_nonce(b"rOprNGfwEbeRWgbNEkqO"));
        assert!(!is_valid_nonce(b"a,b"));
        assert!(!is_valid_nonce(b""));
        assert!(!is_valid_nonce(b"a b"));
    }
}
