//! A harness that drives the server machine with scripted client bytes.
#![allow(dead_code, unreachable_pub)]

use yubin_smtp::Reply;
use yubin_smtp::server::{Config, Event, Server};

/// What a run produced: every byte the server sent, and its events with
/// adjacent body chunks merged (chunk boundaries depend on how the input
/// was cut; their concatenation must not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub out: Vec<u8>,
    pub events: Vec<Event>,
}

impl Outcome {
    pub fn out_str(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }

    /// The body bytes delivered, concatenated.
    pub fn body(&self) -> Vec<u8> {
        let mut b = Vec::new();
        for e in &self.events {
            if let Event::BodyChunk(c) = e {
                b.extend_from_slice(c);
            }
        }
        b
    }

    /// The reply codes sent, in order.
    pub fn codes(&self) -> Vec<u16> {
        let mut codes = Vec::new();
        let mut rest = &self.out[..];
        while let Ok(Some((n, r))) = Reply::parse(rest) {
            codes.push(r.code.get());
            rest = &rest[n..];
        }
        assert!(
            rest.is_empty(),
            "unparsed output {:?}",
            String::from_utf8_lossy(rest)
        );
        codes
    }
}

pub type Policy<'a> = &'a dyn Fn(&Event) -> Option<Reply>;

/// Accepts every decision.
pub fn accept_all(_: &Event) -> Option<Reply> {
    None
}

pub fn drive<'a>(
    config: Config,
    chunks: impl IntoIterator<Item = &'a [u8]>,
    policy: Policy<'_>,
) -> Outcome {
    drive_with(config, chunks, &|server: &mut Server, event: &Event| {
        match policy(event) {
            Some(r) => server.reply(r).expect("valid reply"),
            None => server.accept().expect("pending decision"),
        }
        if *event == Event::StartTls {
            server.tls_established();
        }
    })
}

/// Answers each decision event through `answer`, which must answer it.
pub type Answerer<'a> = &'a dyn Fn(&mut Server, &Event);

pub fn drive_with<'a>(
    config: Config,
    chunks: impl IntoIterator<Item = &'a [u8]>,
    answer: Answerer<'_>,
) -> Outcome {
    let mut server = Server::new(config);
    let mut out = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    server.poll_transmit(&mut out);
    for chunk in chunks {
        server.handle_input(chunk);
        pump(&mut server, &mut events, answer);
        server.poll_transmit(&mut out);
    }
    Outcome { out, events }
}

pub fn pump(server: &mut Server, events: &mut Vec<Event>, answer: Answerer<'_>) {
    // Bounded: each event consumes input or answers a decision.
    for _ in 0..1_000_000 {
        let Some(event) = server.poll_event() else {
            return;
        };
        if event.is_decision() {
            // The answer may start the next decision at once (AUTH's
            // start leads to a password check), so pending is not checked.
            answer(server, &event);
        }
        match (events.last_mut(), &event) {
            (Some(Event::BodyChunk(prev)), Event::BodyChunk(next)) => {
                let mut joined = prev.to_vec();
                joined.extend_from_slice(next);
                *prev = joined.into();
            }
            _ => events.push(event),
        }
    }
    panic!("event loop did not settle");
}

/// Runs `input` whole, one byte at a time and split at every index, and
/// checks every run gives the same outcome; returns it.
pub fn invariant(config: &Config, input: &[u8], policy: Policy<'_>) -> Outcome {
    let whole = drive(config.clone(), [input], policy);
    let bytewise = drive(config.clone(), input.chunks(1), policy);
    assert_eq!(whole, bytewise, "byte-by-byte differs");
    for i in 0..=input.len() {
        let (a, b) = input.split_at(i);
        let split = drive(config.clone(), [a, b], policy);
        assert_eq!(whole, split, "split at {i} differs");
    }
    whole
}

/// [`invariant`] with an answerer instead of a policy.
pub fn invariant_with(config: &Config, input: &[u8], answer: Answerer<'_>) -> Outcome {
    let whole = drive_with(config.clone(), [input], answer);
    let bytewise = drive_with(config.clone(), input.chunks(1), answer);
    assert_eq!(whole, bytewise, "byte-by-byte differs");
    for i in 0..=input.len() {
        let (a, b) = input.split_at(i);
        let split = drive_with(config.clone(), [a, b], answer);
        assert_eq!(whole, split, "split at {i} differs");
    }
    whole
}

/// Splits a transcript of `C: ` and `S: ` lines into client bytes and
/// server bytes (each line gets CRLF).
pub fn transcript(t: &str) -> (Vec<u8>, Vec<u8>) {
    let (mut c, mut s) = (Vec::new(), Vec::new());
    for line in t.lines().map(str::trim_start).filter(|l| !l.is_empty()) {
        let (who, text) = if line.len() == 2 {
            (&*format!("{line} "), "")
        } else {
            line.split_at(3)
        };
        let who = who.to_owned();
        let buf = match who.as_str() {
            "C: " => &mut c,
            "S: " => &mut s,
            _ => panic!("bad transcript line {line:?}"),
        };
        buf.extend_from_slice(text.as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    (c, s)
}

/// A config matching the RFC examples' wording.
pub fn rfc_config(host: &str, greeting: &str) -> Config {
    let mut c = Config::default();
    c.hostname = host.into();
    c.greeting_text = Some(greeting.into());
    c.enhanced_status_codes = false;
    c
}
