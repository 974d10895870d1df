//! The SCRAM-SHA-256 server steps (RFC 5802 §5, §7).

use crate::base64;
use crate::mechanism::Mechanism;
use crate::scram::{self, KEY_LEN, ScramCredentials};
use crate::secret::constant_time_eq;

use super::event::{Authenticated, Failure};

/// What the client-first message told us.
pub(super) struct ScramFirst {
    pub(super) authzid: Option<String>,
    pub(super) username: String,
    gs2_header: Vec<u8>,
    client_first_bare: Vec<u8>,
    client_nonce: Vec<u8>,
}

/// The state between server-first and client-final.
pub(super) struct ScramPending {
    first: ScramFirst,
    credentials: ScramCredentials,
    server_first: Vec<u8>,
    nonce: Vec<u8>,
}

const fn malformed(detail: &'static str) -> Failure {
    Failure::Malformed {
        mechanism: Mechanism::ScramSha256,
        detail,
    }
}

impl ScramPending {
    /// Builds the server-first message (RFC 5802 §7):
    /// `r=<client nonce><server nonce>,s=<salt>,i=<iterations>`.
    pub(super) fn new(
        first: ScramFirst,
        credentials: ScramCredentials,
        server_nonce: &str,
    ) -> Self {
        let mut nonce = first.client_nonce.clone();
        nonce.extend_from_slice(server_nonce.as_bytes());
        let mut server_first = b"r=".to_vec();
        server_first.extend_from_slice(&nonce);
        server_first.extend_from_slice(b",s=");
        base64::encode_into(credentials.salt(), &mut server_first);
        server_first.extend_from_slice(format!(",i={}", credentials.iterations()).as_bytes());
        Self {
            first,
            credentials,
            server_first,
            nonce,
        }
    }

    /// The server-first message to send as a challenge.
    pub(super) fn server_first(&self) -> &[u8] {
        &self.server_first
    }

    /// Checks client-final (RFC 5802 §7) and the proof (§3); on success
    /// returns the server-final message and who authenticated.
    pub(super) fn verify_client_final(
        self,
        data: &[u8],
    ) -> Result<(Vec<u8>, Authenticated), Failure> {
        // client-final-message = client-final-message-without-proof "," proof
        let proof_at = data
            .windows(3)
            .rposition(|w| w == b",p=")
            .ok_or(malformed("client-final needs a proof (RFC 5802 §7)"))?;
        let without_proof = &data[..proof_at];
        let proof = base64::decode(&data[proof_at + 3..])
            .map_err(|_| malformed("proof is not base64 (RFC 5802 §7)"))?;
        let proof = <[u8; KEY_LEN]>::try_from(proof)
            .map_err(|_| malformed("proof must be 32 octets for SHA-256 (RFC 7677 §3)"))?;
        let attrs = scram::attributes(without_proof)
            .ok_or(malformed("client-final attributes malformed (RFC 5802 §7)"))?;
        let (Some((b'c', binding)), Some((b'r', nonce))) = (attrs.first(), attrs.get(1)) else {
            return Err(malformed(
                "client-final must start with c= and r= (RFC 5802 §7)",
            ));
        };
        // Without channel binding, c= carries the gs2 header itself (RFC 5802 §7).
        if base64::decode(binding).ok().as_deref() != Some(&self.first.gs2_header[..]) {
            return Err(malformed(
                "channel-binding c= does not match the gs2 header (RFC 5802 §7)",
            ));
        }
        if **nonce != self.nonce[..] {
            return Err(malformed("nonce r= does not match (RFC 5802 §5.1)"));
        }
        let auth_message: [&[u8]; 5] = [
            &self.first.client_first_bare,
            b",",
            &self.server_first,
            b",",
            without_proof,
        ];
        // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the
        // client knows the password iff H(ClientKey) = StoredKey (RFC 5802 §3).
        let stored_key = self.credentials.stored_key();
        let client_signature = scram::hmac_sha256(stored_key, &auth_message);
        let client_key = scram::xor(&proof, &client_signature);
        if !constant_time_eq(&scram::sha256(&client_key), stored_key) {
            return Err(Failure::InvalidCredentials);
        }
        let server_signature = scram::hmac_sha256(self.credentials.server_key(), &auth_message);
        let mut server_final = b"v=".to_vec();
        base64::encode_into(&server_signature, &mut server_final);
        let authenticated = Authenticated {
            authcid: self.first.username,
            authzid: self.first.authzid,
            additional_data: None,
        };
        Ok((server_final, authenticated))
    }
}

pub(super) fn parse_scram_first(data: &[u8]) -> Result<ScramFirst, Failure> {
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    let mut split = data.splitn(3, |&b| b == b',');
    let (Some(flag), Some(authzid), Some(bare)) = (split.next(), split.next(), split.next()) else {
        return Err(malformed("client-first needs a gs2 header (RFC 5802 §7)"));
    };
    match flag {
        // 'y': the client could bind but thinks we cannot; we indeed do not
        // offer SCRAM-SHA-256-PLUS, so there is no downgrade (RFC 5802 §6).
        b"n" | b"y" => {}
        [b'p', b'=', ..] => return Err(Failure::ChannelBindingNotSupported),
        _ => return Err(malformed("gs2-cbind-flag must be n, y or p= (RFC 5802 §7)")),
    }
    let authzid = match authzid {
        [] => None,
        [b'a', b'=', name @ ..] => Some(
            scram::decode_saslname(name)
                .ok_or(malformed("authzid is not a valid saslname (RFC 5802 §5.1)"))?,
        ),
        _ => return Err(malformed("gs2 authzid must be a= (RFC 5802 §7)")),
    };
    let gs2_len = data.len() - bare.len();
    let attrs = scram::attributes(bare)
        .ok_or(malformed("client-first attributes malformed (RFC 5802 §7)"))?;
    let mut attrs = attrs.into_iter();
    let mut next = attrs.next();
    if let Some((b'm', _)) = next {
        return Err(Failure::UnsupportedExtension);
    }
    let Some((b'n', name)) = next else {
        return Err(malformed("client-first needs n= (RFC 5802 §7)"));
    };
    let username = scram::decode_saslname(name).ok_or(malformed(
        "username is not a valid saslname (RFC 5802 §5.1)",
    ))?;
    next = attrs.next();
    let Some((b'r', nonce)) = next else {
        return Err(malformed("client-first needs r= after n= (RFC 5802 §7)"));
    };
    if !scram::is_valid_nonce(nonce) {
        return Err(malformed(
            "client nonce must be printable without `,` (RFC 5802 §7)",
        ));
    }
    Ok(ScramFirst {
        authzid,
        username,
        gs2_header: data[..gs2_len].to_vec(),
        client_first_bare: bare.to_vec(),
        client_nonce: nonce.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    /// Computes a client-final for `gs2` the way a client would, so the
    /// server's checks can be exercised for headers our client never sends.
    fn client_final(pending: &ScramPending, gs2: &[u8], password: &str) -> Vec<u8> {
        let creds = &pending.credentials;
        let salted = scram::salted_password(password.as_bytes(), creds.salt(), creds.iterations());
        let client_key = scram::client_key(&salted);
        let mut without_proof = b"c=".to_vec();
        base64::encode_into(gs2, &mut without_proof);
        without_proof.extend_from_slice(b",r=");
        without_proof.extend_from_slice(&pending.nonce);
        let auth_message: [&[u8]; 5] = [
            &pending.first.client_first_bare,
            b",",
            &pending.server_first,
            b",",
            &without_proof,
        ];
        let signature = scram::hmac_sha256(&scram::sha256(&client_key), &auth_message);
        let mut out = without_proof;
        out.extend_from_slice(b",p=");
        base64::encode_into(&scram::xor(&client_key, &signature), &mut out);
        out
    }

    /// RFC 5802 §6: gs2 flag 'y' (the client could bind but believes the
    /// server cannot) is accepted by a server without channel binding, and
    /// c= must then carry "y,,"; an authzid travels in the gs2 header.
    #[test]
    fn rfc5802_section_6_flag_y_and_authzid() {
        let creds = ScramCredentials::derive(&Secret::new("pencil"), b"salt", 16).unwrap();
        for (first, gs2) in [
            (&b"y,,n=user,r=abc"[..], &b"y,,"[..]),
            (b"n,a=admin=2Cx,n=user,r=abc", b"n,a=admin=2Cx,"),
        ] {
            let parsed = parse_scram_first(first).unwrap_or_else(|f| panic!("{f}"));
            let pending = ScramPending::new(parsed, creds.clone(), "srv");
            let message = client_final(&pending, gs2, "pencil");
            let (server_final, who) = pending.verify_client_final(&message).unwrap();
            assert!(server_final.starts_with(b"v="));
            assert_eq!(who.authcid, "user");
            if gs2.starts_with(b"n,a=") {
                assert_eq!(who.authzid.as_deref(), Some("admin,x"));
            }
            // The same proof with the header of the other flag is refused.
            let parsed = parse_scram_first(first).unwrap_or_else(|f| panic!("{f}"));
            let pending = ScramPending::new(parsed, creds.clone(), "srv");
            let message = client_final(&pending, b"n,,", "pencil");
            assert!(matches!(
                pending.verify_client_final(&message),
                Err(Failure::Malformed { .. })
            ));
        }
    }
}
