//! The OAuth 2.0 bearer token messages: OAUTHBEARER (RFC 7628 §3.1) and
//! XOAUTH2 (Google's format, also used by Microsoft).
//!
//! ```text
//! ; RFC 7628 §3.1
//! kvsep          = %x01
//! key            = 1*(ALPHA)
//! value          = *(VCHAR / SP / HTAB / CR / LF )
//! kvpair         = key "=" value kvsep
//! client-resp    = (gs2-header kvsep *kvpair kvsep) / kvsep
//! auth-value     = "Bearer" 1*SP b64token      ; the "auth" key (RFC 6750 §2.1)
//!
//! ; XOAUTH2
//! xoauth2-resp   = "user=" user kvsep "auth=Bearer" 1*SP token kvsep kvsep
//! ```

use crate::secret::Secret;

pub(crate) struct TokenMessage {
    pub(crate) user: Option<String>,
    pub(crate) token: Secret,
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
}

pub(crate) enum TokenError {
    Malformed(&'static str),
    ChannelBinding,
}

const KVSEP: u8 = 0x01;

fn utf8(raw: &[u8], detail: &'static str) -> Result<String, TokenError> {
    std::str::from_utf8(raw)
        .map(str::to_owned)
        .map_err(|_| TokenError::Malformed(detail))
}

fn bearer(value: &[u8]) -> Result<Secret, TokenError> {
    let malformed = TokenError::Malformed("auth must be `Bearer <token>` (RFC 6750 §2.1)");
    if value.len() < 7 || !value[..6].eq_ignore_ascii_case(b"Bearer") || value[6] != b' ' {
        return Err(malformed);
    }
    let token = value[6..].trim_ascii_start();
    // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_ascii_end();
    let chars_ok = body.iter().all(|&b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
    });
    if body.is_empty() || !chars_ok {
        return Err(malformed);
    }
    Ok(Secret::new(String::from_utf8_lossy(body).into_owned()))
}

/// Splits `kvpair`s up to the terminating empty pair; the input must end
/// right after it.
type KvPairs<'a> = Vec<(&'a [u8], &'a [u8])>;

fn kvpairs(mut data: &[u8]) -> Result<KvPairs<'_>, TokenError> {
    let mut pairs = Vec::new();
    loop {
        let Some(end) = data.iter().position(|&b| b == KVSEP) else {
            return Err(TokenError::Malformed(
                "key-value pairs must end with %x01 %x01 (RFC 7628 §3.1)",
            ));
        };
        let (pair, rest) = (&data[..end], &data[end + 1..]);
        if pair.is_empty() {
            if !rest.is_empty() {
                return Err(TokenError::Malformed(
                    "data after the final %x01 (RFC 7628 §3.1)",
                ));
            }
            return Ok(pairs);
        }
        let Some(eq) = pair.iter().position(|&b| b == b'=') else {
            return Err(TokenError::Malformed(
                "kvpair needs key=value (RFC 7628 §3.1)",
            ));
        };
        let (key, value) = (&pair[..eq], &pair[eq + 1..]);
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err(TokenError::Malformed("key must be 1*ALPHA (RFC 7628 §3.1)"));
        }
        if !value
            .iter()
            .all(|&b| matches!(b, 0x21..=0x7E | b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Err(TokenError::Malformed(
                "value has a forbidden octet (RFC 7628 §3.1)",
            ));
        }
        pairs.push((key, value));
        data = rest;
    }
}

pub(crate) fn parse_oauthbearer(data: &[u8]) -> Result<TokenMessage, TokenError> {
    let Some(sep) = data.iter().position(|&b| b == KVSEP) else {
        return Err(TokenError::Malformed(
            "OAUTHBEARER needs a gs2 header and %x01 (RFC 7628 §3.1)",
        ));
    };
    let (gs2, rest) = (&data[..sep], &data[sep + 1..]);
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","  (RFC 5801 §4)
    let mut parts = gs2.splitn(3, |&b| b == b',');
    let (Some(flag), Some(authzid), Some(b"")) = (parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Malformed(
            "OAUTHBEARER gs2 header malformed (RFC 7628 §3.1)",
        ));
    };
    match flag {
        b"n" | b"y" => {}
        [b'p', b'=', ..] => return Err(TokenError::ChannelBinding),
        _ => {
            return Err(TokenError::Malformed(
                "gs2-cbind-flag must be n, y or p= (RFC 5801 §4)",
            ));
        }
    }
    let user = match authzid {
        [] => None,
        [b'a', b'=', name @ ..] => Some(crate::scram::decode_saslname(name).ok_or(
            TokenError::Malformed("authzid is not a valid saslname (RFC 5801 §4)"),
        )?),
        _ => {
            return Err(TokenError::Malformed(
                "gs2 authzid must be a= (RFC 5801 §4)",
            ));
        }
    };
    let mut message = TokenMessage {
        user,
        token: Secret::default(),
        host: None,
        port: None,
    };
    let mut auth = None;
    for (key, value) in kvpairs(rest)? {
        match key {
            b"auth" if auth.is_none() => auth = Some(bearer(value)?),
            b"host" => message.host = Some(utf8(value, "host must be UTF-8")?),
            b"port" => {
                let port = std::str::from_utf8(value).ok().and_then(|p| p.parse().ok());
                message.port = Some(port.ok_or(TokenError::Malformed(
                    "port must be a number (RFC 7628 §3.1)",
                ))?);
            }
            b"auth" => return Err(TokenError::Malformed("auth given twice (RFC 7628 §3.1)")),
            _ => {} // Unknown keys are ignored (RFC 7628 §3.1).
        }
    }
    message.token = auth.ok_or(TokenError::Malformed(
        "OAUTHBEARER needs an auth key (RFC 7628 §3.1)",
    ))?;
    Ok(message)
}

pub(crate) fn parse_xoauth2(data: &[u8]) -> Result<TokenMessage, TokenError> {
    let mut user = None;
    let mut auth = None;
    for (key, value) in kvpairs(data)? {
        match key {
            b"user" if user.is_none() => user = Some(utf8(value, "XOAUTH2 user must be UTF-8")?),
            b"auth" if auth.is_none() => auth = Some(bearer(value)?),
            _ => {
                return Err(TokenError::Malformed(
                    "XOAUTH2 takes exactly user= and auth=",
                ));
            }
        }
    }
    let (Some(user), Some(token)) = (user, auth) else {
        return Err(TokenError::Malformed("XOAUTH2 needs user= and auth="));
    };
    Ok(TokenMessage {
        user: Some(user),
        token,
        host: None,
        port: None,
    })
}

/// The OAUTHBEARER client message (RFC 7628 §3.1).
pub(crate) fn encode_oauthbearer(
    user: Option<&str>,
    token: &str,
    host: Option<&str>,
    port: Option<u16>,
) -> Vec<u8> {
    let mut out = b"n,".to_vec();
    if let Some(user) = user {
        out.extend_from_slice(b"a=");
        out.extend_from_slice(crate::scram::encode_saslname(user).as_bytes());
    }
    out.push(b',');
    out.push(KVSEP);
    if let Some(host) = host {
        out.extend_from_slice(b"host=");
        out.extend_from_slice(host.as_bytes());
        out.push(KVSEP);
    }
    if let Some(port) = port {
        out.extend_from_slice(format!("port={port}").as_bytes());
        out.push(KVSEP);
    }
    out.extend_from_slice(b"auth=Bearer ");
    out.extend_from_slice(token.as_bytes());
    out.extend_from_slice(&[KVSEP, KVSEP]);
    out
}

/// The XOAUTH2 client message.
pub(crate) fn encode_xoauth2(user: &str, token: &str) -> Vec<u8> {
    let mut out = b"user=".to_vec();
    out.extend_from_slice(user.as_bytes());
    out.push(KVSEP);
    out.extend_from_slice(b"auth=Bearer ");
    out.extend_from_slice(token.as_bytes());
    out.extend_from_slice(&[KVSEP, KVSEP]);
    out
}
