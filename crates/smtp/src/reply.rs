//! Replies: code, enhanced status code, text (RFC 5321 §4.2, RFC 3463,
//! RFC 2034).

use std::fmt;

/// A three-digit reply code.
///
/// ```text
/// Reply-code = %x32-35 %x30-35 %x30-39                 ; RFC 5321 §4.2
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

/// The first digit of a reply code (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// 2yz: the action is done.
    PositiveCompletion,
    /// 3yz: send more (354 after DATA, 334 in AUTH).
    PositiveIntermediate,
    /// 4yz: failed this time; try again later.
    TransientNegative,
    /// 5yz: failed; do not repeat as is.
    PermanentNegative,
}

/// The second digit of a reply code (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// x0z: syntax.
    Syntax,
    /// x1z: information.
    Information,
    /// x2z: the transmission channel.
    Connections,
    /// x3z, x4z: not specified.
    Unspecified,
    /// x5z: the mail system.
    MailSystem,
}

impl ReplyCode {
    /// A code if it matches `Reply-code`.
    pub fn new(code: u16) -> Option<Self> {
        let (a, b) = (code / 100, code / 10 % 10);
        ((2..=5).contains(&a) && b <= 5).then_some(ReplyCode(code))
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }

    /// The first digit's meaning.
    pub fn severity(self) -> Severity {
        match self.0 / 100 {
            2 => Severity::PositiveCompletion,
            3 => Severity::PositiveIntermediate,
            4 => Severity::TransientNegative,
            _ => Severity::PermanentNegative,
        }
    }

    /// The second digit's meaning.
    pub fn category(self) -> Category {
        match self.0 / 10 % 10 {
            0 => Category::Syntax,
            1 => Category::Information,
            2 => Category::Connections,
            5 => Category::MailSystem,
            _ => Category::Unspecified,
        }
    }

    /// 2yz.
    pub fn is_positive(self) -> bool {
        self.severity() == Severity::PositiveCompletion
    }

    /// 3yz.
    pub fn is_intermediate(self) -> bool {
        self.severity() == Severity::PositiveIntermediate
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced mail system status code.
///
/// ```text
/// status-code = class "." subject "." detail            ; RFC 3463 §2
/// class       = "2" / "4" / "5"
/// subject     = 1*3digit
/// detail      = 1*3digit
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    /// 2, 4 or 5.
    pub class: u8,
    /// 0..=999.
    pub subject: u16,
    /// 0..=999.
    pub detail: u16,
}

impl EnhancedCode {
    /// A code if the parts are in range.
    pub fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        (matches!(class, 2 | 4 | 5) && subject <= 999 && detail <= 999).then_some(EnhancedCode {
            class,
            subject,
            detail,
        })
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A whole reply, single- or multi-line.
///
/// ```text
/// Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///              Reply-code [ SP textstring ] CRLF        ; RFC 5321 §4.2
/// textstring = 1*(%d09 / %d32-126)                      ; UTF-8 per RFC 6531
/// ```
///
/// With ENHANCEDSTATUSCODES (RFC 2034 §3) every line starts with the same
/// enhanced code after the reply code; `lines` holds the text without it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    /// The reply code.
    pub code: ReplyCode,
    /// The enhanced status code, if present.
    pub enhanced: Option<EnhancedCode>,
    /// The text lines, at least one (possibly empty).
    pub lines: Vec<String>,
}

impl Reply {
    /// A one-line reply. `code` must be a valid [`ReplyCode`]; an invalid one
    /// is replaced by 451 (local error) so a programming slip never puts an
    /// ill-formed reply on the wire.
    pub fn new(code: u16, enhanced: Option<(u8, u16, u16)>, text: impl Into<String>) -> Self {
        let code = ReplyCode::new(code).unwrap_or(ReplyCode(451));
        let enhanced = enhanced.and_then(|(c, s, d)| EnhancedCode::new(c, s, d));
        Reply {
            code,
            enhanced,
            lines: vec![sanitize(text.into())],
        }
    }

    /// Adds a line.
    pub fn with_line(mut self, text: impl Into<String>) -> Self {
        self.lines.push(sanitize(text.into()));
        self
    }

    /// Whether the reply is 2yz.
    pub fn is_positive(&self) -> bool {
        self.code.is_positive()
    }

    /// All text joined with newlines (for messages to humans).
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// Text that would break the framing (CR, LF, other controls but TAB) is
/// replaced by a space.
fn sanitize(mut s: String) -> String {
    if s.bytes().any(|b| b < 32 && b != b'\t' || b == 127) {
        s = s
            .chars()
            .map(|c| {
                if (c.is_ascii_control()) && c != '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
    }
    s
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        crate::encode::reply(self, &mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}
