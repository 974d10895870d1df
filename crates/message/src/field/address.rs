//! Address lists (RFC 5322 §3.4, obs- forms of §4.4, UTF-8 per RFC 6532).
//!
//! ```text
//! address      = mailbox / group
//! mailbox      = name-addr / addr-spec
//! name-addr    = [display-name] angle-addr
//! angle-addr   = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
//! group        = display-name ":" [group-list] ";" [CFWS]
//! address-list = (address *("," address)) / obs-addr-list
//! ```

use super::{Lexer, Token, encoded_word, unfold, unstructured};

/// One mailbox: a display name and an address, either possibly absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    /// The display name, RFC 2047-decoded; a comment stands in for it when
    /// there is none (`jdoe@example.org (John Doe)`).
    pub name: Option<String>,
    /// The addr-spec (or the content of the angle brackets, e.g. a URL in
    /// List-* fields, RFC 2369), CFWS removed.
    pub address: Option<String>,
}

/// A group (RFC 5322 §3.4): a name and its members, possibly none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// The group's display name.
    pub name: Option<String>,
    /// The mailboxes between `:` and `;`.
    pub members: Vec<Mailbox>,
}

/// One entry of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A named group of mailboxes.
    Group(Group),
}

#[derive(Default)]
struct Pending {
    /// Display-name words: (decoded text, was an encoded word).
    words: Vec<(String, bool)>,
    comments: Vec<String>,
    angle: Option<String>,
    /// The addr-spec as written outside angle brackets, CFWS removed.
    spec: String,
    has_at: bool,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.comments.is_empty() && self.angle.is_none() && !self.has_at
    }

    fn phrase(&self) -> Option<String> {
        let mut out = String::new();
        let mut prev_encoded = false;
        for (i, (word, encoded)) in self.words.iter().enumerate() {
            if i > 0 && !(prev_encoded && *encoded) {
                out.push(' ');
            }
            out.push_str(word);
            prev_encoded = *encoded;
        }
        (!out.is_empty()).then_some(out)
    }

    fn comment(&self) -> Option<String> {
        let joined = self.comments.join(" ");
        let joined = joined.trim();
        (!joined.is_empty()).then(|| joined.to_owned())
    }

    fn take(&mut self) -> Option<Mailbox> {
        if self.is_empty() {
            return None;
        }
        let pending = std::mem::take(self);
        let mailbox = if let Some(address) = pending.angle.clone() {
            // An addr-spec written as the display name (`a@b <a@b>`) keeps its `@`.
            let name = if pending.has_at {
                Some(pending.spec.clone())
            } else {
                pending.phrase()
            };
            Mailbox {
                name: name.or_else(|| pending.comment()),
                address: Some(address),
            }
        } else if pending.has_at {
            Mailbox {
                name: pending.comment(),
                address: Some(pending.spec.clone()),
            }
        } else if let Some(phrase) = pending.phrase() {
            Mailbox {
                name: pending.comment(),
                address: Some(phrase),
            }
        } else {
            Mailbox {
                name: pending.comment(),
                address: None,
            }
        };
        Some(mailbox)
    }
}

fn word_text(bytes: &[u8]) -> (String, bool) {
    if let Some((text, len)) = encoded_word::decode_prefix(bytes)
        && len == bytes.len()
    {
        return (text, true);
    }
    (unstructured::decode_words(bytes), false)
}

/// Reads an address list; never fails. Empty entries are skipped, a group
/// without its `;` ends at the end of the value, and a word without `@` or
/// angle brackets is kept as an address (as List-Post's `NO` in RFC 2369).
pub fn parse(value: &[u8]) -> Vec<Address> {
    let unfolded = unfold(value);
    let mut lexer = Lexer::new(&unfolded);
    let mut out = Vec::new();
    let mut pending = Pending::default();
    let mut group: Option<Group> = None;
    while let Some(token) = lexer.next() {
        match token {
            Token::Atom(atom) => {
                pending.words.push(word_text(atom));
                pending.spec.push_str(&String::from_utf8_lossy(atom));
            }
            Token::Quoted(text) => {
                pending
                    .words
                    .push((unstructured::decode_words(&text), false));
                pending.spec.push('"');
                pending.spec.push_str(&String::from_utf8_lossy(&text));
                pending.spec.push('"');
            }
            Token::Comment(text) => {
                pending.comments.push(unstructured::decode_words(&text));
            }
            Token::Special(b'<') => {
                let rest = &lexer.src[lexer.pos..];
                let end = rest.iter().position(|&b| b == b'>').unwrap_or(rest.len());
                let inner = angle_content(&rest[..end]);
                lexer.pos += (end + 1).min(rest.len());
                pending.angle = Some(inner);
            }
            Token::Special(b'@') => {
                pending.has_at = true;
                pending.spec.push('@');
            }
            Token::Special(b':')
                if group.is_none() && pending.angle.is_none() && !pending.has_at =>
            {
                let name = pending.phrase().map(|phrase| match pending.comment() {
                    Some(comment) => format!("{phrase} ({comment})"),
                    None => phrase,
                });
                pending = Pending::default();
                group = Some(Group {
                    name,
                    members: Vec::new(),
                });
            }
            Token::Special(b';') => {
                let mailbox = pending.take();
                match group.take() {
                    Some(mut current) => {
                        current.members.extend(mailbox);
                        out.push(Address::Group(current));
                    }
                    None => out.extend(mailbox.map(Address::Mailbox)),
                }
            }
            Token::Special(b',') => {
                if let Some(mailbox) = pending.take() {
                    match group.as_mut() {
                        Some(current) => current.members.push(mailbox),
                        None => out.push(Address::Mailbox(mailbox)),
                    }
                }
            }
            Token::Special(other) => pending.spec.push(char::from(other)),
        }
    }
    let mailbox = pending.take();
    match group {
        Some(mut current) => {
            current.members.extend(mailbox);
            out.push(Address::Group(current));
        }
        None => out.extend(mailbox.map(Address::Mailbox)),
    }
    out
}

/// The addr-spec inside angle brackets with comments and whitespace removed
/// (RFC 5322 §3.4.1: CFWS is not part of the address).
fn angle_content(inner: &[u8]) -> String {
    let mut out = super::strip_comments(inner, true);
    // RFC 5322 §4.4: an obs-route before the addr-spec is to be ignored.
    if out.first() == Some(&b'@')
        && let Some(colon) = out.iter().position(|&b| b == b':')
    {
        out.drain(..=colon);
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(name: Option<&str>, address: Option<&str>) -> Mailbox {
        Mailbox {
            name: name.map(str::to_owned),
            address: address.map(str::to_owned),
        }
    }

    fn list(entries: &[(Option<&str>, Option<&str>)]) -> Vec<Address> {
        entries
            .iter()
            .map(|(n, a)| Address::Mailbox(mailbox(*n, *a)))
            .collect()
    }

    /// RFC 5322 Appendix A.1.1-A.1.3, A.5 and A.6.3, RFC 2047 §8 and RFC 6532.
    #[test]
    fn known_answers() {
        let table: Vec<(&str, Vec<Address>)> = vec![
            // A.1.1 A message from one person to another with simple addressing.
            (
                "John Doe <jdoe@machine.example>",
                list(&[(Some("John Doe"), Some("jdoe@machine.example"))]),
            ),
            (
                "\"Joe Q. Public\" <john.q.public@example.com>",
                list(&[(Some("Joe Q. Public"), Some("john.q.public@example.com"))]),
            ),
            // A.1.2 Different types of mailboxes.
            (
                "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
                list(&[
                    (Some("Mary Smith"), Some("mary@x.test")),
                    (None, Some("jdoe@example.org")),
                    (Some("Who?"), Some("one@y.test")),
                ]),
            ),
            (
                "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
                list(&[
                    (None, Some("boss@nil.test")),
                    (Some("Giant; \"Big\" Box"), Some("sysservices@example.net")),
                ]),
            ),
            // A.1.3 Group addresses.
            (
                "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
                vec![Address::Group(Group {
                    name: Some("A Group".into()),
                    members: vec![
                        mailbox(Some("Ed Jones"), Some("c@a.test")),
                        mailbox(None, Some("joe@where.test")),
                        mailbox(Some("John"), Some("jdoe@one.test")),
                    ],
                })],
            ),
            (
                "Undisclosed recipients:;",
                vec![Address::Group(Group {
                    name: Some("Undisclosed recipients".into()),
                    members: vec![],
                })],
            ),
            // A.5 White space, comments, and other oddities.
            (
                "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
                list(&[(Some("Pete"), Some("pete@silly.test"))]),
            ),
            // A.6.3 Obsolete white space and comments; obs-route (§4.4).
            (
                "John Doe <jdoe@machine(comment).  example>",
                list(&[(Some("John Doe"), Some("jdoe@machine.example"))]),
            ),
            (
                "Mary Smith <@node.test:mary@example.net>",
                list(&[(Some("Mary Smith"), Some("mary@example.net"))]),
            ),
            (
                "jdoe@test  . example",
                list(&[(None, Some("jdoe@test.example"))]),
            ),
            // RFC 2047 §8.
            (
                "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
                list(&[(Some("Keld Jørn Simonsen"), Some("keld@dkuug.dk"))]),
            ),
            (
                "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?= <t@t.com>",
                list(&[(Some("ab"), Some("t@t.com"))]),
            ),
            (
                "John =?US-ASCII*EN?Q?Doe?= <moore@cs.utk.edu>",
                list(&[(Some("John Doe"), Some("moore@cs.utk.edu"))]),
            ),
            // RFC 6532 §3.2: UTF-8 in display names and addresses.
            (
                "Jörg Müller <jörg@bücher.example>",
                list(&[(Some("Jörg Müller"), Some("jörg@bücher.example"))]),
            ),
            // A comment stands in for the display name.
            (
                "jdoe@example.org (John Doe)",
                list(&[(Some("John Doe"), Some("jdoe@example.org"))]),
            ),
            ("", vec![]),
            (" , ,", vec![]),
        ];
        for (input, expected) in table {
            assert_eq!(parse(input.as_bytes()), expected, "{input:?}");
        }
    }
}
