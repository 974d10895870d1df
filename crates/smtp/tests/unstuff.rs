//! proptest: DATA unstuffing (fast and careful paths together) agrees with a
//! byte-at-a-time model of RFC 5321 §4.5.2 and the line-ending policies,
//! however the input is cut.

use proptest::prelude::*;
use yubin_smtp::server::{AbortReason, Config, Event, LineEndingPolicy, Server};

/// The model: returns the body the server should deliver, whether a bare CR
/// or LF was seen, and how many input octets the data (terminator
/// included) took.
fn model(wire: &[u8], normalize: bool) -> Option<(Vec<u8>, bool, usize)> {
    let mut out = Vec::new();
    let mut bare = false;
    let mut at_line_start = true;
    let mut i = 0;
    while i < wire.len() {
        if at_line_start && wire[i] == b'.' {
            if wire[i + 1..].starts_with(b"\r\n") {
                return Some((out, bare, i + 3));
            }
            i += 1;
            at_line_start = false;
            continue;
        }
        at_line_start = false;
        match wire[i] {
            b'\r' if wire.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                at_line_start = true;
            }
            b'\r' | b'\n' => {
                bare = true;
                if normalize {
                    out.extend_from_slice(b"\r\n");
                } else {
                    out.push(wire[i]);
                }
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

fn run(wire: &[u8], cuts: &[usize], normalize: bool) -> (Vec<u8>, Vec<Event>) {
    let mut cfg = Config::default();
    cfg.max_text_line = 4096;
    if normalize {
        cfg.line_ending_policy = LineEndingPolicy::Normalize;
    }
    let mut server = Server::new(cfg);
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    let mut input = b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nDATA\r\n".to_vec();
    input.extend_from_slice(wire);
    input.extend_from_slice(b"NOOP\r\n");
    let mut body = Vec::new();
    let mut events = Vec::new();
    let mut last = 0;
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    points.push(input.len());
    for p in points {
        server.handle_input(&input[last..p]);
        last = p;
        while let Some(e) = server.poll_event() {
            match &e {
                Event::BodyChunk(c) => body.extend_from_slice(c),
                e if e.is_decision() => server.accept().unwrap(),
                _ => {}
            }
            if !matches!(e, Event::BodyChunk(_)) {
                events.push(e);
            }
        }
    }
    (body, events)
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            6 => Just(b'a'),
            2 => Just(b'.'),
            2 => Just(b'\r'),
            2 => Just(b'\n'),
        ],
        0..400,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn unstuffing_matches_the_model(
        raw in body_bytes(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
        normalize in any::<bool>(),
    ) {
        let mut wire = raw;
        wire.extend_from_slice(b"\r\n.\r\n");
        let (want, bare, _) = model(&wire, normalize).expect("the terminator is there");
        let (body, events) = run(&wire, &cuts, normalize);
        let ended = events.iter().any(|e| matches!(e, Event::MessageEnd { .. }));
        let aborted = events.contains(&Event::MessageAborted(AbortReason::BareLineEnding));
        if bare && !normalize {
            prop_assert!(aborted && !ended);
        } else {
            prop_assert!(ended && !aborted);
        }
        prop_assert_eq!(body, want);
        // Exactly one transaction, and NOOP after it was read as a command.
        let mails = events.iter().filter(|e| matches!(e, Event::MailFrom { .. })).count();
        prop_assert_eq!(mails, 1);
    }
}
