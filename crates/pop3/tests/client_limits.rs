//! The client machine against a hostile server: bounded memory for
//! listings, never-ending lines and bodies without a terminator.

use yubin_pop3::client::{Client, Config, Event};
use yubin_pop3::{Command, ProtocolError};

fn events(client: &mut Client) -> Vec<Event> {
    std::iter::from_fn(|| client.poll_event()).collect()
}

/// A listing of empty lines: two octets on the wire each, but each kept
/// line costs an allocation, and that is counted against `max_listing`.
#[test]
fn listing_of_empty_lines_counts_each_line() {
    let mut config = Config::default();
    config.max_listing = 1000;
    let mut client = Client::new(config);
    client.send(Command::Uidl(None)).unwrap();
    client.handle_input(b"+OK hi\r\n+OK\r\n");
    // 100 octets of empty lines, far under the budget as wire octets.
    client.handle_input(&b"\r\n".repeat(50));
    let events = events(&mut client);
    assert!(
        events.contains(&Event::Invalid(ProtocolError::InputOverflow)),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&Event::Closed));
    assert!(client.is_closed());
}

/// A status line that never ends fails the session at `max_line` however
/// it is cut, and nothing more is buffered after that.
#[test]
fn never_ending_status_line() {
    let mut client = Client::new(Config::default());
    client.send(Command::Stat).unwrap();
    client.handle_input(b"+OK hi\r\n");
    events(&mut client);
    let mut closed = false;
    for _ in 0..100 {
        client.handle_input(&[b'x'; 1000]);
        let events = events(&mut client);
        if events.contains(&Event::Invalid(ProtocolError::LineTooLong)) {
            closed = true;
            break;
        }
    }
    assert!(closed);
    assert!(client.is_closed());
    client.handle_input(&[b'x'; 1000]);
    assert_eq!(client.poll_event(), None);
}

/// A RETR body with no terminator is streamed as it comes: every octet
/// handed in comes out at once as a chunk, nothing is held back beyond a
/// possible line start, and the body never ends.
#[test]
fn body_without_terminator_is_streamed() {
    let mut client = Client::new(Config::default());
    client.send(Command::Retr(1)).unwrap();
    client.handle_input(b"+OK hi\r\n+OK 1000000 octets\r\n");
    events(&mut client);
    let mut received = 0;
    for _ in 0..1000 {
        client.handle_input(&b"line of text\r\n".repeat(100));
        for event in events(&mut client) {
            match event {
                Event::MessageChunk(bytes) => received += bytes.len(),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(received, 1000 * 100 * 14);
    assert!(!client.is_closed());
}
