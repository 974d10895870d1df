//! EHLO capabilities (RFC 5321 §4.1.1.1 and the extensions).

use crate::reply::Reply;

/// One line of a 250 reply to EHLO after the first.
///
/// ```text
/// ehlo-line    = ehlo-keyword *( SP ehlo-param )        ; RFC 5321 §4.1.1.1
/// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// ehlo-param   = 1*(%d33-126)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `PIPELINING` (RFC 2920)
    Pipelining,
    /// `SIZE [n]` (RFC 1870); `None` or `Some(0)` means no fixed limit.
    Size(Option<u64>),
    /// `8BITMIME` (RFC 6152)
    EightBitMime,
    /// `SMTPUTF8` (RFC 6531)
    SmtpUtf8,
    /// `ENHANCEDSTATUSCODES` (RFC 2034)
    EnhancedStatusCodes,
    /// `STARTTLS` (RFC 3207)
    StartTls,
    /// `AUTH mech...` (RFC 4954), mechanisms upper-cased.
    Auth(Vec<String>),
    /// `DSN` (RFC 3461)
    Dsn,
    /// `CHUNKING` (RFC 3030)
    Chunking,
    /// `BINARYMIME` (RFC 3030)
    BinaryMime,
    /// `REQUIRETLS` (RFC 8689)
    RequireTls,
    /// `HELP`
    Help,
    /// `ETRN` (RFC 1985)
    Etrn,
    /// Anything else, kept as sent.
    Other {
        /// The keyword.
        keyword: String,
        /// The parameters.
        params: Vec<String>,
    },
}

impl Capability {
    /// Parses one EHLO line's text. Never fails: an unknown or ill-formed
    /// line becomes [`Capability::Other`].
    pub fn parse(line: &str) -> Capability {
        let mut words = line.split(' ').filter(|w| !w.is_empty());
        let keyword = words.next().unwrap_or("");
        let params: Vec<&str> = words.collect();
        let up = keyword.to_ascii_uppercase();
        match (up.as_str(), params.as_slice()) {
            ("PIPELINING", []) => Capability::Pipelining,
            ("SIZE", []) => Capability::Size(None),
            ("SIZE", [n]) if n.bytes().all(|b| b.is_ascii_digit()) && n.len() <= 19 => {
                Capability::Size(n.parse().ok())
            }
            ("8BITMIME", []) => Capability::EightBitMime,
            ("SMTPUTF8", []) => Capability::SmtpUtf8,
            ("ENHANCEDSTATUSCODES", []) => Capability::EnhancedStatusCodes,
            ("STARTTLS", []) => Capability::StartTls,
            ("AUTH", mechs) => {
                Capability::Auth(mechs.iter().map(|m| m.to_ascii_uppercase()).collect())
            }
            ("DSN", []) => Capability::Dsn,
            ("CHUNKING", []) => Capability::Chunking,
            ("BINARYMIME", []) => Capability::BinaryMime,
            ("REQUIRETLS", []) => Capability::RequireTls,
            ("HELP", []) => Capability::Help,
            ("ETRN", []) => Capability::Etrn,
            _ => Capability::Other {
                keyword: keyword.to_owned(),
                params: params.iter().map(|p| (*p).to_owned()).collect(),
            },
        }
    }

    /// The line as advertised.
    pub fn to_line(&self) -> String {
        match self {
            Capability::Pipelining => "PIPELINING".into(),
            Capability::Size(None) => "SIZE".into(),
            Capability::Size(Some(n)) => format!("SIZE {n}"),
            Capability::EightBitMime => "8BITMIME".into(),
            Capability::SmtpUtf8 => "SMTPUTF8".into(),
            Capability::EnhancedStatusCodes => "ENHANCEDSTATUSCODES".into(),
            Capability::StartTls => "STARTTLS".into(),
            Capability::Auth(m) if m.is_empty() => "AUTH".into(),
            Capability::Auth(m) => format!("AUTH {}", m.join(" ")),
            Capability::Dsn => "DSN".into(),
            Capability::Chunking => "CHUNKING".into(),
            Capability::BinaryMime => "BINARYMIME".into(),
            Capability::RequireTls => "REQUIRETLS".into(),
            Capability::Help => "HELP".into(),
            Capability::Etrn => "ETRN".into(),
            Capability::Other { keyword, params } if params.is_empty() => keyword.clone(),
            Capability::Other { keyword, params } => format!("{keyword} {}", params.join(" ")),
        }
    }
}

/// The capabilities of a server, from its EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// The domain the server named on the first line.
    pub domain: String,
    /// One entry per line after the first, in order.
    pub list: Vec<Capability>,
}

impl Capabilities {
    /// Reads a 250 reply to EHLO or LHLO.
    pub fn from_reply(reply: &Reply) -> Capabilities {
        let domain = reply.lines[0]
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_owned();
        let list = reply.lines[1..]
            .iter()
            .map(|l| Capability::parse(l))
            .collect();
        Capabilities { domain, list }
    }

    /// Whether a capability without parameters (or any `SIZE`/`AUTH`) is
    /// present.
    pub fn has(&self, cap: &Capability) -> bool {
        self.list.iter().any(|c| {
            std::mem::discriminant(c) == std::mem::discriminant(cap)
                && (!matches!(c, Capability::Other { .. }) || c == cap)
        })
    }

    /// The `SIZE` limit, if the server set one (0 means none, RFC 1870 §4).
    pub fn size_limit(&self) -> Option<u64> {
        self.list.iter().find_map(|c| match c {
            Capability::Size(Some(n)) if *n > 0 => Some(*n),
            _ => None,
        })
    }

    /// The `AUTH` mechanisms offered.
    pub fn auth_mechanisms(&self) -> &[String] {
        self.list
            .iter()
            .find_map(|c| match c {
                Capability::Auth(m) => Some(m.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
}
