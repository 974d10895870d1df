//! Domains, address literals, mailboxes and paths (RFC 5321 §4.1.2, §4.1.3;
//! RFC 6531 §3.3 for the UTF-8 forms).
//!
//! Every type here is validated: a value exists only if it matches its
//! grammar, so the encoder never has to check again.
//!
//! The types borrow from the command line they were parsed from (`'a`), so
//! parsing a command allocates nothing; `into_owned` detaches a value (the
//! server does so for what it hands to the application), and the `new`
//! constructors return owned (`'static`) values.

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::ParseError;
use crate::parse;

/// A domain name.
///
/// ```text
/// Domain     = sub-domain *("." sub-domain)          ; RFC 5321 §4.1.2
/// sub-domain = Let-dig [Ldh-str] / U-label           ; RFC 6531 §3.3
/// ```
///
/// Labels are at most 63 octets and the name at most 255 (RFC 5321
/// §4.5.3.1.2). U-labels are accepted as UTF-8 but not checked against IDNA.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain<'a>(pub(crate) Cow<'a, str>);

impl Domain<'_> {
    /// Validates `s` as a domain.
    pub fn new(s: &str) -> Result<Domain<'static>, ParseError> {
        match parse::domain(s.as_bytes()) {
            Some(n) if n == s.len() => Ok(Domain(Cow::Owned(s.to_owned()))),
            _ => Err(ParseError::Syntax("domain")),
        }
    }

    /// The same domain, owning its text.
    pub fn into_owned(self) -> Domain<'static> {
        Domain(Cow::Owned(self.0.into_owned()))
    }

    /// The domain as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the domain is all ASCII (no U-label).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }
}

impl<'a> Domain<'a> {
    pub(crate) fn new_unchecked(s: &'a str) -> Self {
        Domain(Cow::Borrowed(s))
    }
}

impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address literal: a host named by its address.
///
/// ```text
/// address-literal  = "[" ( IPv4-address-literal /
///                          IPv6-address-literal /
///                          General-address-literal ) "]"   ; RFC 5321 §4.1.3
/// IPv6-address-literal    = "IPv6:" IPv6-addr
/// General-address-literal = Standardized-tag ":" 1*dcontent
/// dcontent = %d33-90 / %d94-126
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressLiteral<'a> {
    /// `[192.0.2.1]`
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`
    Ipv6(Ipv6Addr),
    /// `[tag:content]` for a tag other than `IPv6`.
    General {
        /// The standardized tag (an Ldh-str).
        tag: Cow<'a, str>,
        /// The content after the colon.
        content: Cow<'a, str>,
    },
}

impl AddressLiteral<'_> {
    /// The same literal, owning its text.
    pub fn into_owned(self) -> AddressLiteral<'static> {
        match self {
            AddressLiteral::Ipv4(a) => AddressLiteral::Ipv4(a),
            AddressLiteral::Ipv6(a) => AddressLiteral::Ipv6(a),
            AddressLiteral::General { tag, content } => AddressLiteral::General {
                tag: Cow::Owned(tag.into_owned()),
                content: Cow::Owned(content.into_owned()),
            },
        }
    }
}

impl fmt::Display for AddressLiteral<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressLiteral::Ipv4(a) => write!(f, "[{a}]"),
            AddressLiteral::Ipv6(a) => write!(f, "[IPv6:{a}]"),
            AddressLiteral::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

/// What follows the `@` of a mailbox, or the argument of EHLO/HELO/LHLO.
///
/// ```text
/// ( Domain / address-literal )                          ; RFC 5321 §4.1.2
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A domain name.
    Domain(Domain<'a>),
    /// An address literal.
    Literal(AddressLiteral<'a>),
}

impl Host<'_> {
    /// Parses a whole string as a host.
    pub fn new(s: &str) -> Result<Host<'static>, ParseError> {
        match parse::host(s) {
            Some((n, host)) if n == s.len() => Ok(host.into_owned()),
            _ => Err(ParseError::Syntax("domain or address literal")),
        }
    }

    /// The same host, owning its text.
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Host::Domain(d) => Host::Domain(d.into_owned()),
            Host::Literal(l) => Host::Literal(l.into_owned()),
        }
    }

    /// Whether the host is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            Host::Domain(d) => d.is_ascii(),
            Host::Literal(_) => true,
        }
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => d.fmt(f),
            Host::Literal(l) => l.fmt(f),
        }
    }
}

/// The part of a mailbox before the `@`, kept as written on the wire.
///
/// ```text
/// Local-part    = Dot-string / Quoted-string            ; RFC 5321 §4.1.2
/// Dot-string    = Atom *("."  Atom)
/// Quoted-string = DQUOTE *QcontentSMTP DQUOTE
/// QcontentSMTP  = qtextSMTP / quoted-pairSMTP
/// quoted-pairSMTP = %d92 %d32-126
/// qtextSMTP     = %d32-33 / %d35-91 / %d93-126 / UTF8-non-ascii  ; RFC 6531
/// ```
///
/// The 64-octet limit of RFC 5321 §4.5.3.1.1 is not enforced: the RFC asks
/// servers to accept longer local parts where they can, and the command-line
/// limit bounds it anyway.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPart<'a>(pub(crate) Cow<'a, str>);

impl<'a> LocalPart<'a> {
    pub(crate) fn new_unchecked(s: &'a str) -> Self {
        LocalPart(Cow::Borrowed(s))
    }
}

impl LocalPart<'_> {
    /// Validates `s` (in its wire form, quotes included if quoted).
    pub fn new(s: &str) -> Result<LocalPart<'static>, ParseError> {
        match parse::local_part(s.as_bytes()) {
            Some(n) if n == s.len() => Ok(LocalPart(Cow::Owned(s.to_owned()))),
            _ => Err(ParseError::Syntax("local part")),
        }
    }

    /// The same local part, owning its text.
    pub fn into_owned(self) -> LocalPart<'static> {
        LocalPart(Cow::Owned(self.0.into_owned()))
    }

    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is a Quoted-string.
    pub fn is_quoted(&self) -> bool {
        self.0.starts_with('"')
    }

    /// The local part with quotes and quoted-pair backslashes removed.
    pub fn unquoted(&self) -> String {
        if !self.is_quoted() {
            return self.0.clone().into_owned();
        }
        let inner = &self.0[1..self.0.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut escaped = false;
        for c in inner.chars() {
            if escaped || c != '\\' {
                out.push(c);
                escaped = false;
            } else {
                escaped = true;
            }
        }
        out
    }
}

impl fmt::Display for LocalPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mailbox: `local-part@host`.
///
/// ```text
/// Mailbox = Local-part "@" ( Domain / address-literal )  ; RFC 5321 §4.1.2
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    /// The local part.
    pub local_part: LocalPart<'a>,
    /// The domain or address literal.
    pub host: Host<'a>,
}

impl Mailbox<'_> {
    /// Parses `local@host`.
    pub fn new(s: &str) -> Result<Mailbox<'static>, ParseError> {
        match parse::mailbox(s) {
            Some((n, m)) if n == s.len() => Ok(m.into_owned()),
            _ => Err(ParseError::Syntax("mailbox")),
        }
    }

    /// The same mailbox, owning its text.
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local_part: self.local_part.into_owned(),
            host: self.host.into_owned(),
        }
    }

    /// Whether the mailbox is all ASCII; if not, the transaction needs
    /// SMTPUTF8 (RFC 6531 §3.4).
    pub fn is_ascii(&self) -> bool {
        self.local_part.as_str().is_ascii() && self.host.is_ascii()
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.host)
    }
}

/// The argument of MAIL FROM.
///
/// ```text
/// Reverse-path = Path / "<>"                            ; RFC 5321 §4.1.2
/// Path         = "<" [ A-d-l ":" ] Mailbox ">"
/// ```
///
/// A source route (`A-d-l`) is accepted and dropped, as RFC 5321 §4.1.1.3
/// and Appendix C ask.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath<'a> {
    /// `<>`: the null sender of bounces (RFC 5321 §4.5.5).
    Null,
    /// A sender mailbox.
    Mailbox(Mailbox<'a>),
}

impl ReversePath<'_> {
    /// The same path, owning its text.
    pub fn into_owned(self) -> ReversePath<'static> {
        match self {
            ReversePath::Null => ReversePath::Null,
            ReversePath::Mailbox(m) => ReversePath::Mailbox(m.into_owned()),
        }
    }

    /// Whether the path is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ReversePath::Null => true,
            ReversePath::Mailbox(m) => m.is_ascii(),
        }
    }
}

impl fmt::Display for ReversePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

/// The argument of RCPT TO.
///
/// ```text
/// Forward-path = Path                                   ; RFC 5321 §4.1.2
/// "<Postmaster@" Domain ">" / "<Postmaster>"            ; RFC 5321 §4.1.1.3
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain, which every server must accept
    /// (RFC 5321 §4.5.1). The case written by the client is not kept.
    Postmaster,
    /// A recipient mailbox.
    Mailbox(Mailbox<'a>),
}

impl ForwardPath<'_> {
    /// The same path, owning its text.
    pub fn into_owned(self) -> ForwardPath<'static> {
        match self {
            ForwardPath::Postmaster => ForwardPath::Postmaster,
            ForwardPath::Mailbox(m) => ForwardPath::Mailbox(m.into_owned()),
        }
    }

    /// Whether the path is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ForwardPath::Postmaster => true,
            ForwardPath::Mailbox(m) => m.is_ascii(),
        }
    }
}

impl fmt::Display for ForwardPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<Postmaster>"),
            ForwardPath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}
