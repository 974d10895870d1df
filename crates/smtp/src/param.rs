//! MAIL and RCPT parameters (RFC 5321 §4.1.2 and the extensions that define
//! them).

use std::borrow::Cow;
use std::fmt;

use crate::address::Mailbox;
use crate::error::ParseError;

/// A parameter this crate does not interpret, kept for the application.
///
/// ```text
/// esmtp-param   = esmtp-keyword ["=" esmtp-value]       ; RFC 5321 §4.1.2
/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value   = 1*(%d33-60 / %d62-126 / UTF8-non-ascii) ; RFC 6531 §3.3
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parameter<'a> {
    /// The keyword, as written.
    pub keyword: Cow<'a, str>,
    /// The value, if any.
    pub value: Option<Cow<'a, str>>,
}

impl Parameter<'_> {
    /// The same parameter, owning its text.
    pub fn into_owned(self) -> Parameter<'static> {
        Parameter {
            keyword: Cow::Owned(self.keyword.into_owned()),
            value: self.value.map(|v| Cow::Owned(v.into_owned())),
        }
    }
}

/// `BODY=` (RFC 6152 §2, RFC 3030 §3).
///
/// ```text
/// body-value = "7BIT" / "8BITMIME" / "BINARYMIME"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyType {
    /// `7BIT`
    SevenBit,
    /// `8BITMIME` (RFC 6152)
    EightBitMime,
    /// `BINARYMIME` (RFC 3030 §3): the body must come in BDAT chunks.
    BinaryMime,
}

impl BodyType {
    /// The keyword as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyType::SevenBit => "7BIT",
            BodyType::EightBitMime => "8BITMIME",
            BodyType::BinaryMime => "BINARYMIME",
        }
    }
}

/// `RET=` (RFC 3461 §4.3): what a failure DSN returns.
///
/// ```text
/// ret-value = "FULL" / "HDRS"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// The whole message.
    Full,
    /// Only the headers.
    Headers,
}

/// Text in xtext encoding, held decoded.
///
/// ```text
/// xtext    = *( xchar / hexchar )                       ; RFC 3461 §4
/// xchar    = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
///            except for "+" and "="
/// hexchar  = "+" 2(%x30-39 / %x41-46)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XText<'a>(pub Cow<'a, str>);

impl<'a> XText<'a> {
    /// Decodes xtext; the result must be UTF-8. Text without `+` escapes
    /// is borrowed, not copied.
    pub fn decode(s: &'a str) -> Result<Self, ParseError> {
        let b = s.as_bytes();
        // One pass for the common case: plain xchars, borrowed as they are.
        if b.iter()
            .all(|&c| (33..=126).contains(&c) && c != b'=' && c != b'+')
        {
            return Ok(XText(Cow::Borrowed(s)));
        }
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => {
                    let hex = b.get(i + 1..i + 3).ok_or(ParseError::Syntax("xtext"))?;
                    let v = hex_value(hex[0])
                        .and_then(|h| hex_value(hex[1]).map(|l| h << 4 | l))
                        .ok_or(ParseError::Syntax("xtext"))?;
                    out.push(v);
                    i += 3;
                }
                c @ 33..=126 if c != b'=' => {
                    out.push(c);
                    i += 1;
                }
                _ => return Err(ParseError::Syntax("xtext")),
            }
        }
        String::from_utf8(out)
            .map(|s| XText(Cow::Owned(s)))
            .map_err(|_| ParseError::InvalidUtf8)
    }

    /// The same text, owned.
    pub fn into_owned(self) -> XText<'static> {
        XText(Cow::Owned(self.0.into_owned()))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for XText<'_> {
    /// Writes the xtext encoding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0.as_bytes() {
            if (33..=126).contains(&b) && b != b'+' && b != b'=' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "+{b:02X}")?;
            }
        }
        Ok(())
    }
}

/// `NOTIFY=` (RFC 3461 §4.1).
///
/// ```text
/// notify-esmtp-value = "NEVER" / 1#notify-list-element
/// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Notify {
    /// `SUCCESS`
    pub success: bool,
    /// `FAILURE`
    pub failure: bool,
    /// `DELAY`
    pub delay: bool,
}

impl Notify {
    /// Whether this is `NEVER`.
    pub fn is_never(&self) -> bool {
        !(self.success || self.failure || self.delay)
    }
}

impl fmt::Display for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_never() {
            return f.write_str("NEVER");
        }
        let words = [
            (self.success, "SUCCESS"),
            (self.failure, "FAILURE"),
            (self.delay, "DELAY"),
        ];
        let mut first = true;
        for (on, word) in words {
            if on {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(word)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// `ORCPT=` (RFC 3461 §4.2): the original recipient.
///
/// ```text
/// orcpt-parameter = "ORCPT=" original-recipient-address
/// original-recipient-address = addr-type ";" xtext
/// addr-type = atom
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcpt<'a> {
    /// The address type, usually `rfc822` or `utf-8`.
    pub addr_type: Cow<'a, str>,
    /// The address, decoded from xtext.
    pub address: XText<'a>,
}

impl Orcpt<'_> {
    /// The same parameter, owning its text.
    pub fn into_owned(self) -> Orcpt<'static> {
        Orcpt {
            addr_type: Cow::Owned(self.addr_type.into_owned()),
            address: self.address.into_owned(),
        }
    }
}

/// `AUTH=` on MAIL (RFC 4954 §5): who submitted the message.
///
/// ```text
/// auth-param = "AUTH=" ( "<>" / xtext-mailbox )
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthParam<'a> {
    /// `<>`: the submitter is unknown or not trusted.
    Unknown,
    /// The submitter's mailbox, decoded from xtext.
    Mailbox(XText<'a>),
}

impl AuthParam<'_> {
    /// The same parameter, owning its text.
    pub fn into_owned(self) -> AuthParam<'static> {
        match self {
            AuthParam::Unknown => AuthParam::Unknown,
            AuthParam::Mailbox(x) => AuthParam::Mailbox(x.into_owned()),
        }
    }
}

/// The parameters of MAIL FROM.
///
/// ```text
/// Mail-parameters = esmtp-param *(SP esmtp-param)       ; RFC 5321 §4.1.2
/// ```
///
/// Each known keyword may appear once (RFC 5321 §4.1.1.11: a repeat is 555).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MailParameters<'a> {
    /// `SIZE=` declared message size in octets (RFC 1870 §6).
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<BodyType>,
    /// `SMTPUTF8` (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// `RET=` (RFC 3461 §4.3).
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461 §4.4).
    pub envid: Option<XText<'a>>,
    /// `AUTH=` (RFC 4954 §5).
    pub auth: Option<AuthParam<'a>>,
    /// `REQUIRETLS` (RFC 8689 §4.1).
    pub requiretls: bool,
    /// Every other parameter, in order.
    pub other: Vec<Parameter<'a>>,
}

impl MailParameters<'_> {
    /// The same parameters, owning their text.
    pub fn into_owned(self) -> MailParameters<'static> {
        MailParameters {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(XText::into_owned),
            auth: self.auth.map(AuthParam::into_owned),
            requiretls: self.requiretls,
            other: self.other.into_iter().map(Parameter::into_owned).collect(),
        }
    }
}

/// The parameters of RCPT TO.
///
/// ```text
/// Rcpt-parameters = esmtp-param *(SP esmtp-param)       ; RFC 5321 §4.1.2
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RcptParameters<'a> {
    /// `NOTIFY=` (RFC 3461 §4.1).
    pub notify: Option<Notify>,
    /// `ORCPT=` (RFC 3461 §4.2).
    pub orcpt: Option<Orcpt<'a>>,
    /// Every other parameter, in order.
    pub other: Vec<Parameter<'a>>,
}

impl RcptParameters<'_> {
    /// The same parameters, owning their text.
    pub fn into_owned(self) -> RcptParameters<'static> {
        RcptParameters {
            notify: self.notify,
            orcpt: self.orcpt.map(Orcpt::into_owned),
            other: self.other.into_iter().map(Parameter::into_owned).collect(),
        }
    }
}

/// Reads the xtext form of an `AUTH=` mailbox back into a [`Mailbox`] if it
/// is one.
pub fn auth_param_mailbox(p: &AuthParam<'_>) -> Option<Mailbox<'static>> {
    match p {
        AuthParam::Unknown => None,
        AuthParam::Mailbox(x) => Mailbox::new(&x.0).ok(),
    }
}
