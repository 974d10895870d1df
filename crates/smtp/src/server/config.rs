//! Server configuration: extensions offered and abuse limits.

/// What to do with a bare CR or a bare LF inside DATA (RFC 5321 §2.3.8
/// forbids them; SMTP smuggling abuses servers that read them as line ends).
///
/// Neither policy ever ends the data on anything but CRLF.CRLF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LineEndingPolicy {
    /// Read the body to its end, then fail the transaction with
    /// `550 5.6.0` and [`crate::server::AbortReason::BareLineEnding`].
    #[default]
    Reject,
    /// Replace each bare CR and each bare LF by CRLF in the body handed to
    /// the application. The replacement does not start a new line for
    /// dot-unstuffing or end-of-data purposes, so a `\n.\n` stays in the body
    /// (as `\r\n.\r\n` after normalisation: a relay re-stuffs it on output).
    Normalize,
}

/// Server settings. Build from [`Config::default`] and change fields.
///
/// Every default cites its source.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The name the server gives in its greeting and EHLO reply
    /// (RFC 5321 §4.3.1). Default `localhost`.
    pub hostname: String,
    /// Text after the hostname in the 220 greeting; default `ESMTP ready`
    /// (or `LMTP ready`).
    pub greeting_text: Option<String>,
    /// Speak LMTP (RFC 2033): LHLO instead of EHLO/HELO, one reply per
    /// accepted recipient after the body. Default off.
    pub lmtp: bool,
    /// Longest command line, CRLF included: 512 (RFC 5321 §4.5.3.1.4).
    pub max_command_line: usize,
    /// Extra length allowed on MAIL and RCPT lines for parameters: 1024.
    /// RFC 1869 §4.1.2 lets each extension raise the limit; SIZE adds 26
    /// (RFC 1870 §7), DSN 100 on MAIL and 500 on RCPT (RFC 3461 §4), AUTH=
    /// 500 (RFC 4954 §5); 1024 covers them all.
    pub parameter_allowance: usize,
    /// Longest AUTH command or SASL response line: 12288 (RFC 4954 §4).
    pub max_auth_line: usize,
    /// Longest text line in DATA, CRLF included: 1000 (RFC 5321
    /// §4.5.3.1.6). A lenient server may raise it; values above 4096 are
    /// treated as 4096, the most this crate allows.
    pub max_text_line: usize,
    /// Most recipients per transaction: 100, the minimum RFC 5321
    /// §4.5.3.1.8 requires a server to accept. More get `452 4.5.3`
    /// (§4.5.3.1.10).
    pub max_recipients: usize,
    /// Largest message in octets, advertised as `SIZE` (RFC 1870):
    /// 10240000, Postfix's `message_size_limit` default.
    pub max_message_size: u64,
    /// After this many protocol errors the server emits
    /// [`crate::server::Event::SlowDown`] so the adapter can delay its
    /// replies: 10, Postfix's `smtpd_soft_error_limit`.
    pub soft_error_limit: u32,
    /// After this many protocol errors the server replies `421 4.7.0` and
    /// closes: 20, Postfix's `smtpd_hard_error_limit`.
    pub hard_error_limit: u32,
    /// Bare CR/LF in DATA: [`LineEndingPolicy::Reject`] by default.
    pub line_ending_policy: LineEndingPolicy,
    /// Reject a client that sends before the greeting has been handed to
    /// `poll_transmit` (an "early talker", as Postfix postscreen calls it):
    /// on by default, since a real client waits for 220 (RFC 5321 §3.1).
    pub reject_early_talkers: bool,
    /// Accept MAIL/RCPT parameters this crate does not know and pass them
    /// to the application; off by default, so they get 555 (RFC 5321
    /// §4.1.1.11).
    pub accept_unknown_parameters: bool,
    /// Offer PIPELINING (RFC 2920). Default on.
    pub pipelining: bool,
    /// Offer 8BITMIME (RFC 6152). Default on.
    pub eight_bit_mime: bool,
    /// Offer SMTPUTF8 (RFC 6531). Default on.
    pub smtputf8: bool,
    /// Offer ENHANCEDSTATUSCODES (RFC 2034) and put the codes on every
    /// reply. Default on.
    pub enhanced_status_codes: bool,
    /// Offer STARTTLS (RFC 3207); the application must be able to do the
    /// handshake. Default off.
    pub starttls: bool,
    /// Offer DSN (RFC 3461) and accept its parameters. Default on.
    pub dsn: bool,
    /// Offer CHUNKING (RFC 3030). Default on.
    pub chunking: bool,
    /// Offer BINARYMIME (RFC 3030); needs `chunking`. Default on.
    pub binarymime: bool,
    /// Offer REQUIRETLS (RFC 8689) once TLS is active. Default off.
    pub requiretls: bool,
    /// SASL mechanisms to offer with AUTH (RFC 4954), through yubin-sasl;
    /// empty (the default) means no AUTH.
    pub auth_mechanisms: Vec<yubin_sasl::Mechanism>,
    /// Offer AUTH before TLS is active. Off by default: before TLS, AUTH
    /// gets `530 5.7.0 Must issue a STARTTLS command first` (RFC 3207 §4)
    /// when STARTTLS is offered, 502 otherwise.
    pub auth_without_tls: bool,
    /// With `auth_without_tls`, also allow the mechanisms that expose the
    /// secret itself (PLAIN, LOGIN, and the bearer-token ones) before TLS.
    /// Off by default: they get `538 5.7.11 Encryption required for
    /// requested authentication mechanism` (RFC 4954 §6) and are not
    /// advertised; CRAM-MD5 and SCRAM-SHA-256 remain usable.
    pub auth_plaintext_without_tls: bool,
    /// Refuse MAIL until the client has authenticated, with `530 5.7.0
    /// Authentication required` (RFC 4954 §6). Off by default.
    pub require_auth: bool,
    /// How long the server waits for the client: 5 minutes (RFC 5321
    /// §4.5.3.2.7 "Server Timeout").
    pub timeout: std::time::Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            hostname: "localhost".into(),
            greeting_text: None,
            lmtp: false,
            max_command_line: 512,
            parameter_allowance: 1024,
            max_auth_line: 12288,
            max_text_line: 1000,
            max_recipients: 100,
            max_message_size: 10_240_000,
            soft_error_limit: 10,
            hard_error_limit: 20,
            line_ending_policy: LineEndingPolicy::Reject,
            reject_early_talkers: true,
            accept_unknown_parameters: false,
            pipelining: true,
            eight_bit_mime: true,
            smtputf8: true,
            enhanced_status_codes: true,
            starttls: false,
            dsn: true,
            chunking: true,
            binarymime: true,
            requiretls: false,
            auth_mechanisms: Vec::new(),
            auth_without_tls: false,
            auth_plaintext_without_tls: false,
            require_auth: false,
            timeout: std::time::Duration::from_secs(300),
        }
    }
}
