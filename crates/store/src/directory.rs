//! The user directory: which mailbox an address's mail goes to.
//!
//! ```text
//! address = local-part "@" domain        ; RFC 5321 §4.1.2 Mailbox
//! ```
//!
//! Case rules:
//! - the domain is case-insensitive (RFC 5321 §2.4), and a trailing dot is
//!   ignored;
//! - the local part is case-sensitive in principle (RFC 5321 §2.4) but almost
//!   every server folds it; [`LocalPartCase`] chooses, folding by default;
//! - `postmaster` is matched without regard to case whatever the setting
//!   (RFC 5321 §4.5.1), and a bare `postmaster` without a domain is accepted;
//! - a quoted local part is unquoted first, so `"alice"@x` is `alice@x`
//!   (RFC 5321 §4.1.2: quoting does not change the address).
//!
//! Lookup order for a local domain (or an alias of one): the exact user,
//! then the user without its subaddress (`alice+lists` → `alice`, when a
//! separator is set), then postmaster, then the domain's catch-all.

use std::collections::HashMap;

use crate::{MailboxName, StoreError};

/// How local parts are compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocalPartCase {
    /// `Alice` and `alice` are one user (the common practice).
    #[default]
    Insensitive,
    /// `Alice` and `alice` are different users (RFC 5321 §2.4's letter).
    Sensitive,
}

#[derive(Debug, Clone, Default)]
struct Domain {
    users: HashMap<String, MailboxName>,
    catch_all: Option<MailboxName>,
}

/// Maps addresses to mailboxes, with domain aliases and catch-alls.
///
/// ```
/// use yubin_store::{MailboxName, UserDirectory};
///
/// let mut directory = UserDirectory::new().with_subaddress_separator('+');
/// directory.add_user("alice@example.org", MailboxName::new("alice")?)?;
/// directory.add_domain_alias("example.net", "example.org")?;
/// directory.set_catch_all("example.org", MailboxName::new("postmaster")?)?;
///
/// assert_eq!(directory.resolve("Alice+lists@EXAMPLE.net")?.as_str(), "alice");
/// assert_eq!(directory.resolve("nobody@example.org")?.as_str(), "postmaster");
/// assert!(directory.resolve("alice@elsewhere.example").is_err());
/// # Ok::<(), yubin_store::StoreError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct UserDirectory {
    local_part_case: LocalPartCase,
    subaddress_separator: Option<char>,
    domains: HashMap<String, Domain>,
    aliases: HashMap<String, String>,
    postmaster: Option<MailboxName>,
}

/// RFC 5321 §4.5.3.1.1: a local part is at most 64 octets.
const MAX_LOCAL_PART: usize = 64;
/// RFC 5321 §4.5.3.1.2: a domain is at most 255 octets.
const MAX_DOMAIN: usize = 255;

impl UserDirectory {
    /// An empty directory: no local domain, local parts folded.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how local parts compare. Set it before adding users.
    pub fn with_local_part_case(mut self, case: LocalPartCase) -> Self {
        self.local_part_case = case;
        self
    }

    /// Treats `local+tag` as `local` when `local+tag` itself is not a user
    /// (with `+` as the separator).
    pub fn with_subaddress_separator(mut self, separator: char) -> Self {
        self.subaddress_separator = Some(separator);
        self
    }

    /// Makes `domain` local (idempotent).
    pub fn add_domain(&mut self, domain: &str) {
        self.domains.entry(normalize_domain(domain)).or_default();
    }

    /// Makes `alias` another name of the local `domain`.
    pub fn add_domain_alias(&mut self, alias: &str, domain: &str) -> Result<(), StoreError> {
        let domain = normalize_domain(domain);
        if !self.domains.contains_key(&domain) {
            return Err(StoreError::NoSuchMailbox(format!("@{domain}")));
        }
        self.aliases.insert(normalize_domain(alias), domain);
        Ok(())
    }

    /// Delivers mail for `address` to `mailbox`; makes its domain local.
    pub fn add_user(&mut self, address: &str, mailbox: MailboxName) -> Result<(), StoreError> {
        let (local, domain) = split(address)?;
        let local = self.fold(&local);
        self.domains
            .entry(domain)
            .or_default()
            .users
            .insert(local, mailbox);
        Ok(())
    }

    /// Delivers mail for any unknown user of the local `domain` to `mailbox`.
    pub fn set_catch_all(&mut self, domain: &str, mailbox: MailboxName) -> Result<(), StoreError> {
        let domain = normalize_domain(domain);
        match self.domains.get_mut(&domain) {
            None => Err(StoreError::NoSuchMailbox(format!("@{domain}"))),
            Some(entry) => {
                entry.catch_all = Some(mailbox);
                Ok(())
            }
        }
    }

    /// Where mail to a bare `postmaster` (no domain, RFC 5321 §4.1.1.3) and
    /// to `postmaster@` a local domain without its own postmaster goes.
    pub fn set_postmaster(&mut self, mailbox: MailboxName) {
        self.postmaster = Some(mailbox);
    }

    /// Whether `domain` is local, directly or as an alias: mail for it is
    /// delivered here, not relayed.
    pub fn is_local_domain(&self, domain: &str) -> bool {
        let domain = normalize_domain(domain);
        self.domains.contains_key(&domain) || self.aliases.contains_key(&domain)
    }

    /// The mailbox for `address` (without angle brackets).
    ///
    /// Errors: [`StoreError::InvalidAddress`] when it cannot be an address,
    /// [`StoreError::NoSuchMailbox`] when it is not local or no user
    /// matches and the domain has no catch-all.
    pub fn resolve(&self, address: &str) -> Result<MailboxName, StoreError> {
        if address.eq_ignore_ascii_case("postmaster") {
            return self
                .postmaster
                .clone()
                .ok_or_else(|| StoreError::NoSuchMailbox(address.to_owned()));
        }
        let (local, domain) = split(address)?;
        let domain = self.aliases.get(&domain).unwrap_or(&domain);
        let no_such = || StoreError::NoSuchMailbox(address.to_owned());
        let entry = self.domains.get(domain).ok_or_else(no_such)?;
        let folded = self.fold(&local);
        if let Some(mailbox) = entry.users.get(&folded) {
            return Ok(mailbox.clone());
        }
        if let Some(sep) = self.subaddress_separator
            && let Some((user, _tag)) = folded.split_once(sep)
            && let Some(mailbox) = entry.users.get(user)
        {
            return Ok(mailbox.clone());
        }
        if local.eq_ignore_ascii_case("postmaster") {
            let postmaster = entry
                .users
                .iter()
                .find(|(user, _)| user.eq_ignore_ascii_case("postmaster"))
                .map(|(_, mailbox)| mailbox)
                .or(self.postmaster.as_ref());
            if let Some(mailbox) = postmaster {
                return Ok(mailbox.clone());
            }
        }
        entry.catch_all.clone().ok_or_else(no_such)
    }

    fn fold(&self, local: &str) -> String {
        match self.local_part_case {
            LocalPartCase::Insensitive => local.to_lowercase(),
            LocalPartCase::Sensitive => local.to_owned(),
        }
    }
}

fn normalize_domain(domain: &str) -> String {
    domain.trim().trim_end_matches('.').to_lowercase()
}

/// Splits at the last `@` (a quoted local part may hold one) and unquotes
/// the local part.
fn split(address: &str) -> Result<(String, String), StoreError> {
    let invalid = || StoreError::InvalidAddress(address.to_owned());
    let (local, domain) = address.rsplit_once('@').ok_or_else(invalid)?;
    let local = unquote(local).ok_or_else(invalid)?;
    let domain = normalize_domain(domain);
    if local.is_empty()
        || local.len() > MAX_LOCAL_PART
        || domain.is_empty()
        || domain.len() > MAX_DOMAIN
        || domain.contains(|c: char| c.is_whitespace() || c == '@')
    {
        return Err(invalid());
    }
    Ok((local, domain))
}

/// `"a\"b"` → `a"b`; an unquoted local part is returned as it is. `None`
/// for a quote that does not close.
fn unquote(local: &str) -> Option<String> {
    let Some(inner) = local.strip_prefix('"') else {
        return Some(local.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> MailboxName {
        MailboxName::new(n).unwrap()
    }

    fn directory(case: LocalPartCase) -> UserDirectory {
        let mut d = UserDirectory::new()
            .with_local_part_case(case)
            .with_subaddress_separator('+');
        d.add_user("alice@example.org", name("alice")).unwrap();
        d.add_user("Bob@example.org", name("bob")).unwrap();
        d.add_user("\"carol\"@other.example", name("carol"))
            .unwrap();
        d.add_domain_alias("example.net", "example.org").unwrap();
        d.set_postmaster(name("admin"));
        d
    }

    #[test]
    fn addresses_resolve_by_the_documented_rules() {
        let d = directory(LocalPartCase::Insensitive);
        // (address, mailbox or None for no such mailbox)
        let rows: [(&str, Option<&str>); 12] = [
            ("alice@example.org", Some("alice")),
            ("ALICE@Example.ORG", Some("alice")), // RFC 5321 §2.4: domains ignore case
            ("alice@example.org.", Some("alice")),
            ("alice@example.net", Some("alice")), // domain alias
            ("alice+news@example.org", Some("alice")),
            ("bob@example.org", Some("bob")),
            ("\"alice\"@example.org", Some("alice")), // RFC 5321 §4.1.2 quoting
            ("carol@other.example", Some("carol")),
            ("Postmaster@example.org", Some("admin")), // RFC 5321 §4.5.1
            ("POSTMASTER", Some("admin")),             // RFC 5321 §4.1.1.3
            ("nobody@example.org", None),
            ("alice@elsewhere.example", None),
        ];
        for (address, expected) in rows {
            let got = d.resolve(address).ok();
            assert_eq!(got.as_ref().map(MailboxName::as_str), expected, "{address}");
        }
    }

    #[test]
    fn case_sensitive_local_parts_and_catch_all() {
        let mut d = directory(LocalPartCase::Sensitive);
        assert_eq!(d.resolve("Bob@EXAMPLE.org").unwrap().as_str(), "bob");
        assert!(matches!(
            d.resolve("bob@example.org"),
            Err(StoreError::NoSuchMailbox(_))
        ));
        assert_eq!(
            d.resolve("postMASTER@example.org").unwrap().as_str(),
            "admin"
        );
        d.set_catch_all("example.org", name("catchall")).unwrap();
        assert_eq!(d.resolve("bob@example.net").unwrap().as_str(), "catchall");
        assert!(d.set_catch_all("unknown.example", name("x")).is_err());
        assert!(d.is_local_domain("EXAMPLE.NET"));
        assert!(!d.is_local_domain("example.com"));
    }

    #[test]
    fn malformed_addresses_are_invalid_not_unknown() {
        let d = directory(LocalPartCase::Insensitive);
        let long = format!("{}@example.org", "a".repeat(65));
        for bad in [
            "",
            "alice",
            "@example.org",
            "alice@",
            "\"open@example.org",
            &long,
        ] {
            assert!(
                matches!(d.resolve(bad), Err(StoreError::InvalidAddress(_))),
                "{bad:?}"
            );
        }
    }
}
