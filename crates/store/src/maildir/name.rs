//! Maildir file names: making unique ones, and reading the ones other
//! software wrote.
//!
//! ```text
//! name   = unique *("," field) [sep "2," flags]
//! unique = secs "." "M" usecs "P" pid "Q" counter "." host   ; ours
//! field  = "S=" 1*DIGIT / "W=" 1*DIGIT / other               ; Dovecot's sizes
//! sep    = ":" / ";"                                         ; ";" where ":" is not allowed
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A Maildir file name, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileName<'a> {
    /// Everything before the info separator: what Python's `mailbox` calls
    /// the key.
    pub(crate) base: &'a str,
    /// The base up to its first `,`: the part that never changes.
    pub(crate) unique: &'a str,
    /// `S=`: the file's size.
    pub(crate) size: Option<u64>,
    /// `W=`: the size with CRLF line endings.
    pub(crate) crlf_size: Option<u64>,
    /// The separator before the info, if there is an info.
    pub(crate) separator: Option<char>,
    /// The flags after `2,`, if the info is of that kind.
    pub(crate) flags: Option<&'a str>,
}

impl<'a> FileName<'a> {
    /// Splits a name; total: any name gives a value.
    pub(crate) fn parse(name: &'a str) -> FileName<'a> {
        let (base, separator, info) = match name.rfind(':') {
            Some(at) => (&name[..at], Some(':'), Some(&name[at + 1..])),
            None => match name.rfind(";2,") {
                Some(at) => (&name[..at], Some(';'), Some(&name[at + 1..])),
                None => (name, None, None),
            },
        };
        let mut fields = base.split(',');
        let unique = fields.next().unwrap_or(base);
        let mut size = None;
        let mut crlf_size = None;
        for field in fields {
            if let Some(v) = field.strip_prefix("S=") {
                size = v.parse().ok();
            } else if let Some(v) = field.strip_prefix("W=") {
                crlf_size = v.parse().ok();
            }
        }
        FileName {
            base,
            unique,
            size,
            crlf_size,
            separator,
            flags: info.and_then(|i| i.strip_prefix("2,")),
        }
    }

    /// The seconds at the start of the unique part, used to list messages in
    /// delivery order.
    pub(crate) fn delivery_secs(&self) -> u64 {
        let digits = self.unique.split('.').next().unwrap_or("");
        digits.parse().unwrap_or(u64::MAX)
    }

    /// The key that lists messages in delivery order: the seconds, then the
    /// microseconds (`M`) and counter (`Q`) of names like ours and Dovecot's,
    /// compared as numbers, then the name.
    pub(crate) fn delivery_order(&self) -> (u64, u64, u64, &'a str) {
        let process = self.unique.split('.').nth(1).unwrap_or("");
        let number_after = |tag: char| {
            process.find(tag).map_or(0, |at| {
                let digits = &process[at + 1..];
                let end = digits
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(digits.len());
                digits[..end].parse().unwrap_or(0)
            })
        };
        let micros = if process.starts_with('M') {
            number_after('M')
        } else {
            0
        };
        (self.delivery_secs(), micros, number_after('Q'), self.unique)
    }

    /// The name this file gets with `flag` added to its flags (kept in
    /// ASCII order, as the Maildir specification asks).
    pub(crate) fn with_flag(&self, flag: char) -> String {
        let mut flags: Vec<char> = self.flags.unwrap_or("").chars().collect();
        if !flags.contains(&flag) {
            flags.push(flag);
        }
        flags.sort_unstable();
        flags.dedup();
        let flags: String = flags.into_iter().collect();
        format!("{}{}2,{flags}", self.base, self.separator.unwrap_or(':'))
    }

    /// The name with an (empty or kept) info, for a message moving to cur.
    pub(crate) fn for_cur(&self) -> String {
        format!(
            "{}{}2,{}",
            self.base,
            self.separator.unwrap_or(':'),
            self.flags.unwrap_or("")
        )
    }

    /// Whether the flags include `flag`.
    pub(crate) fn has_flag(&self, flag: char) -> bool {
        self.flags.is_some_and(|f| f.contains(flag))
    }
}

/// Makes a host name safe in a Maildir name: `/` and `:` as the Maildir
/// specification says (`\057`, `\072`), and likewise `,` and `;` (they start
/// Dovecot's fields and the alternative info separator), `\` and anything
/// outside printable ASCII.
pub(crate) fn sanitize_host(host: &str) -> String {
    let mut out = String::with_capacity(host.len());
    for b in host.trim().bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'/' | b':' | b',' | b';' | b'\\') {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    if out.is_empty() {
        out.push_str("localhost");
    }
    out
}

/// The machine's host name, from the kernel.
pub(crate) fn system_host() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A process-wide counter: two deliveries in the same microsecond of the
/// same process still get different names.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new unique part: `secs.MusecsPpidQcounter.host` (the Maildir
/// specification's time, process and host, with Dovecot's spelling). The
/// caller creates the file with `O_EXCL`, so a clash is noticed, not
/// overwritten.
pub(crate) fn new_unique(host: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.M{}P{}Q{}.{host}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_name_parses_and_rebuilds(name in "[a-zA-Z0-9.,=:;_ \\\\é-]{0,40}") {
            let parsed = FileName::parse(&name);
            prop_assert!(name.starts_with(parsed.base));
            prop_assert!(parsed.base.starts_with(parsed.unique));
            let _ = parsed.delivery_order();
            let flagged = parsed.with_flag('S');
            prop_assert!(FileName::parse(&flagged).has_flag('S'));
            let for_cur = parsed.for_cur();
            prop_assert_eq!(FileName::parse(&for_cur).base, parsed.base);
        }
    }

    #[test]
    fn names_written_by_others_parse() {
        // Names from the mail-parser corpus (Dovecot style, `;` separator)
        // and the forms the Maildir specification and Dovecot document.
        let n = FileName::parse("1234567890.M20046P2137.mailserver,S=4542,W=4642;2,Sb");
        assert_eq!(n.base, "1234567890.M20046P2137.mailserver,S=4542,W=4642");
        assert_eq!(n.unique, "1234567890.M20046P2137.mailserver");
        assert_eq!((n.size, n.crlf_size), (Some(4542), Some(4642)));
        assert_eq!((n.separator, n.flags), (Some(';'), Some("Sb")));
        assert_eq!(n.delivery_secs(), 1234567890);
        assert_eq!(n.delivery_order(), (1234567890, 20046, 0, n.unique));
        let earlier = FileName::parse("1234567890.M99P1Q12.h");
        let later = FileName::parse("1234567890.M100P1Q3.h");
        assert!(earlier.delivery_order() < later.delivery_order());

        let n = FileName::parse("1035478339.27041_118.foo.org:2,");
        assert_eq!(
            (n.unique, n.flags, n.size),
            ("1035478339.27041_118.foo.org", Some(""), None)
        );

        let n = FileName::parse("1276533073.M242911P3632.kurkku");
        assert_eq!((n.base, n.separator, n.flags), (n.unique, None, None));

        let n = FileName::parse("x,S=oops,W=");
        assert_eq!((n.size, n.crlf_size), (None, None));
        assert_eq!(n.delivery_secs(), u64::MAX);

        // An experimental info (":1,") has no flags.
        assert_eq!(FileName::parse("a:1,xyz").flags, None);
    }

    #[test]
    fn flags_stay_sorted_and_the_separator_is_kept() {
        assert_eq!(
            FileName::parse("a,S=1;2,TDR").with_flag('S'),
            "a,S=1;2,DRST"
        );
        assert_eq!(FileName::parse("a:2,S").with_flag('S'), "a:2,S");
        assert_eq!(FileName::parse("a").with_flag('S'), "a:2,S");
        assert_eq!(FileName::parse("a").for_cur(), "a:2,");
        assert_eq!(FileName::parse("a:2,FR").for_cur(), "a:2,FR");
        assert!(FileName::parse("a:2,FS").has_flag('S'));
    }

    #[test]
    fn hosts_are_sanitized_and_names_are_unique() {
        assert_eq!(sanitize_host("mx1.example.org"), "mx1.example.org");
        assert_eq!(sanitize_host("a/b:c,d"), "a\\057b\\072c\\054d");
        assert_eq!(sanitize_host(" "), "localhost");
        let a = new_unique("h");
        let b = new_unique("h");
        assert_ne!(a, b);
        let parsed = FileName::parse(&a);
        assert_eq!(parsed.unique, a);
        assert!(parsed.delivery_secs() > 1_600_000_000);
    }
}
