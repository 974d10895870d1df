//! Mechanism names (IANA "SASL Mechanisms" registry) and choosing one.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A SASL mechanism this crate implements.
///
/// ```text
/// sasl-mech    = 1*20mech-char          ; RFC 4422 §3.1
/// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// ```
///
/// The order of the variants (and so `Ord`) is their strength as a client
/// should prefer them, weakest first: LOGIN and PLAIN send the password
/// itself; CRAM-MD5 does not, but needs the plaintext at the server and has
/// no server authentication; the token mechanisms send a bearer token that is
/// scoped and revocable; SCRAM-SHA-256 proves the password without sending it,
/// keeps only salted keys at the server, and authenticates the server too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `LOGIN` (draft-murchison-sasl-login): user name and password, each in
    /// its own message.
    Login,
    /// `PLAIN` (RFC 4616): authzid, authcid and password in one message.
    Plain,
    /// `CRAM-MD5` (RFC 2195): HMAC-MD5 of a server challenge.
    CramMd5,
    /// `XOAUTH2` (Google's and Microsoft's OAuth 2.0 bearer token format).
    XOAuth2,
    /// `OAUTHBEARER` (RFC 7628): an OAuth 2.0 bearer token.
    OAuthBearer,
    /// `SCRAM-SHA-256` (RFC 5802, RFC 7677), without channel binding.
    ScramSha256,
}

impl Mechanism {
    /// Every mechanism, weakest first.
    pub const ALL: [Mechanism; 6] = [
        Mechanism::Login,
        Mechanism::Plain,
        Mechanism::CramMd5,
        Mechanism::XOAuth2,
        Mechanism::OAuthBearer,
        Mechanism::ScramSha256,
    ];

    /// The registered name, as sent on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Mechanism::Login => "LOGIN",
            Mechanism::Plain => "PLAIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
        }
    }

    /// Parses a mechanism name, ignoring ASCII case (RFC 4422 §3.1 names are
    /// upper case, but SMTP and POP3 keywords are case-insensitive).
    pub fn from_name(name: &[u8]) -> Option<Mechanism> {
        Mechanism::ALL
            .into_iter()
            .find(|m| m.name().as_bytes().eq_ignore_ascii_case(name))
    }

    /// Whether the client speaks first (RFC 4422 §3.3 "client-first"): the
    /// client has an initial response to send with the AUTH command. For the
    /// others the server's first challenge comes before any client data.
    pub const fn client_first(self) -> bool {
        matches!(
            self,
            Mechanism::Plain | Mechanism::XOAuth2 | Mechanism::OAuthBearer | Mechanism::ScramSha256
        )
    }

    /// Whether the mechanism sends the password (or token) itself, so a
    /// server should offer it only over TLS (RFC 4954 §4, RFC 4616 §6).
    pub const fn sends_secret_in_clear(self) -> bool {
        matches!(
            self,
            Mechanism::Login | Mechanism::Plain | Mechanism::XOAuth2 | Mechanism::OAuthBearer
        )
    }

    /// Whether the client authenticates with a password (as opposed to an
    /// OAuth token).
    pub const fn uses_password(self) -> bool {
        !matches!(self, Mechanism::XOAuth2 | Mechanism::OAuthBearer)
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mechanism name this crate does not implement.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unsupported SASL mechanism {0:?}")]
pub struct UnknownMechanism(pub String);

impl FromStr for Mechanism {
    type Err = UnknownMechanism;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Mechanism::from_name(name.as_bytes()).ok_or_else(|| UnknownMechanism(name.to_owned()))
    }
}

/// The strongest mechanism that both the server offers and the client is
/// willing to use, or `None` if they share none.
///
/// `offered` is the server's list as words (for example the words after
/// `AUTH` in an EHLO reply, or after `SASL` in a POP3 CAPA reply); unknown
/// names are skipped. `usable` is what the client can do (for example only
/// the token mechanisms when it holds a token).
///
/// ```
/// use yubin_sasl::{Mechanism, strongest_common};
/// let offered = "PLAIN login SCRAM-SHA-1 CRAM-MD5".split(' ');
/// let usable = [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5, Mechanism::ScramSha256];
/// assert_eq!(strongest_common(offered, &usable), Some(Mechanism::CramMd5));
/// ```
pub fn strongest_common<'a>(
    offered: impl IntoIterator<Item = &'a str>,
    usable: &[Mechanism],
) -> Option<Mechanism> {
    offered
        .into_iter()
        .filter_map(|name| Mechanism::from_name(name.as_bytes()))
        .filter(|m| usable.contains(m))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for m in Mechanism::ALL {
            assert_eq!(Mechanism::from_name(m.name().as_bytes()), Some(m));
            assert_eq!(m.name().to_ascii_lowercase().parse::<Mechanism>(), Ok(m));
            assert!(m.name().len() <= 20, "RFC 4422 §3.1: at most 20 characters");
        }
        assert_eq!(Mechanism::from_name(b"SCRAM-SHA-1"), None);
        assert_eq!(Mechanism::from_name(b""), None);
        assert_eq!(Mechanism::from_name(b"PLAIN "), None);
        assert!("GSSAPI".parse::<Mechanism>().is_err());
    }

    #[test]
    fn strength_order_and_choice() {
        assert!(Mechanism::ScramSha256 > Mechanism::CramMd5);
        assert!(Mechanism::CramMd5 > Mechanism::Plain);
        assert!(Mechanism::Plain > Mechanism::Login);
        let all = Mechanism::ALL;
        assert_eq!(
            strongest_common("LOGIN PLAIN".split(' '), &all),
            Some(Mechanism::Plain)
        );
        assert_eq!(
            strongest_common("scram-sha-256 PLAIN".split(' '), &all),
            Some(Mechanism::ScramSha256)
        );
        assert_eq!(strongest_common("GSSAPI NTLM".split(' '), &all), None);
        assert_eq!(strongest_common(std::iter::empty(), &all), None);
        let tokens = [Mechanism::XOAuth2, Mechanism::OAuthBearer];
        assert_eq!(
            strongest_common(
                "PLAIN XOAUTH2 OAUTHBEARER SCRAM-SHA-256".split(' '),
                &tokens
            ),
            Some(Mechanism::OAuthBearer)
        );
    }
}
