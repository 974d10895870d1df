//! The conformance suite every [`MailStore`] must pass: run it from a test
//! of any implementation, including stores outside this crate.
//!
//! ```
//! use yubin_store::{MemoryStore, conformance};
//!
//! conformance::run_all(MemoryStore::new);
//! ```
//!
//! Each check gets a fresh, empty store from the factory. A check that fails
//! panics with what the trait promised and what the store did, so it is
//! meant for tests only.

use crate::{Delivery, MailStore, MailboxName, Maildrop, StoreError};

/// A message with CRLF line endings, as SMTP delivers it.
const CRLF_MESSAGE: &[u8] =
    b"From: b@example.org\r\nTo: a@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";
/// A message with LF line endings, as a local program may hand it over.
const LF_MESSAGE: &[u8] = b"From: c@example.org\nSubject: two\n\nbody\n";

/// A named check of the suite.
type Check<S> = (&'static str, fn(&S));

/// Every check, each on a fresh store from `fresh`.
pub fn run_all<S: MailStore>(mut fresh: impl FnMut() -> S) {
    let checks: [Check<S>; 14] = [
        (
            "delivered messages are listed and read back",
            delivered_messages_are_listed_and_read_back,
        ),
        (
            "unknown mailboxes are refused",
            unknown_mailboxes_are_refused,
        ),
        ("create_mailbox is idempotent", create_mailbox_is_idempotent),
        ("the maildrop is exclusive", the_maildrop_is_exclusive),
        (
            "a session without commit removes nothing",
            a_session_without_commit_removes_nothing,
        ),
        ("dele, rset and commit", dele_rset_and_commit),
        (
            "uids are stable across sessions",
            uids_are_stable_across_sessions,
        ),
        (
            "mail delivered during a session shows next time",
            mail_delivered_during_a_session_shows_next_time,
        ),
        (
            "an abandoned delivery leaves nothing",
            an_abandoned_delivery_leaves_nothing,
        ),
        (
            "top gives the header and n lines",
            top_gives_the_header_and_n_lines,
        ),
        (
            "chunked deliveries equal whole ones",
            chunked_deliveries_equal_whole_ones,
        ),
        (
            "bad message numbers are refused",
            bad_message_numbers_are_refused,
        ),
        (
            "odd messages keep their pop3 size",
            odd_messages_keep_their_pop3_size,
        ),
        (
            "a commit with nothing deleted keeps everything",
            a_commit_with_nothing_deleted_keeps_everything,
        ),
    ];
    for (name, check) in checks {
        let store = fresh();
        // Named in the panic so a failure says which promise broke.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&store)));
        if let Err(panic) = result {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("conformance check `{name}` failed: {why}");
        }
    }
}

fn mailbox(store: &impl MailStore, name: &str) -> MailboxName {
    let name = MailboxName::new(name).expect("valid mailbox name");
    store.create_mailbox(&name).expect("create_mailbox");
    name
}

fn crlf(message: &[u8]) -> Vec<u8> {
    crate::MessageChunks::from_reader(std::io::Cursor::new(message.to_vec()), "m", true)
        .read_to_vec()
        .expect("in memory")
}

fn read_all(drop: &mut impl Maildrop, index: usize) -> Vec<u8> {
    let chunks = drop.read(index).expect("read");
    chunks.read_to_vec().expect("read chunks")
}

/// Deliver, list, read: sizes are POP3 sizes and reads give CRLF.
pub fn delivered_messages_are_listed_and_read_back(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    let one = store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    let two = store.deliver(&alice, LF_MESSAGE).expect("deliver");
    assert_eq!(one.size, CRLF_MESSAGE.len() as u64);
    assert_eq!(two.size, crlf(LF_MESSAGE).len() as u64);
    assert_ne!(one.uid, two.uid);
    let mut drop = store.open_maildrop(&alice).expect("open_maildrop");
    let listing = drop.messages().to_vec();
    assert_eq!(listing.len(), 2);
    assert_eq!((&listing[0].uid, listing[0].size), (&one.uid, one.size));
    assert_eq!((&listing[1].uid, listing[1].size), (&two.uid, two.size));
    assert_eq!(read_all(&mut drop, 0), CRLF_MESSAGE);
    assert_eq!(read_all(&mut drop, 1), crlf(LF_MESSAGE));
    assert_eq!(drop.stat(), (2, one.size + two.size));
    for m in &listing {
        let uid = m.uid.as_str();
        assert!((1..=70).contains(&uid.len()), "RFC 1939 §7 length: {uid}");
        assert!(uid.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{uid}");
    }
}

/// A mailbox never created does not exist.
pub fn unknown_mailboxes_are_refused(store: &impl MailStore) {
    let ghost = MailboxName::new("ghost").expect("valid");
    let err = store.deliver(&ghost, CRLF_MESSAGE).expect_err("deliver");
    assert!(matches!(err, StoreError::NoSuchMailbox(_)), "{err:?}");
    assert_eq!(err.smtp_code(), 550);
    let err = store.open_maildrop(&ghost).expect_err("open");
    assert!(matches!(err, StoreError::NoSuchMailbox(_)), "{err:?}");
}

/// Creating again keeps the mail.
pub fn create_mailbox_is_idempotent(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    store.create_mailbox(&alice).expect("again");
    let drop = store.open_maildrop(&alice).expect("open");
    assert_eq!(drop.messages().len(), 1);
}

/// RFC 1939 §8: one session at a time; released on drop and on commit.
pub fn the_maildrop_is_exclusive(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    let bob = mailbox(store, "bob");
    let first = store.open_maildrop(&alice).expect("open");
    let err = store.open_maildrop(&alice).expect_err("second open");
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
    assert_eq!(err.pop3_response_code(), Some("IN-USE"));
    assert!(err.is_temporary());
    // Another mailbox is not affected, and delivery goes on.
    drop(store.open_maildrop(&bob).expect("other mailbox"));
    store
        .deliver(&alice, CRLF_MESSAGE)
        .expect("deliver while open");
    drop(first);
    let second = store.open_maildrop(&alice).expect("after drop");
    second.commit().expect("commit");
    drop(store.open_maildrop(&alice).expect("after commit"));
}

/// RFC 1939 §6: no QUIT, no deletion.
pub fn a_session_without_commit_removes_nothing(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    let mut session = store.open_maildrop(&alice).expect("open");
    session.mark_deleted(0).expect("dele");
    drop(session);
    let session = store.open_maildrop(&alice).expect("open");
    assert_eq!(session.messages().len(), 1);
}

/// RFC 1939 §5 DELE and RSET, §6 UPDATE.
pub fn dele_rset_and_commit(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    for _ in 0..3 {
        store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    }
    let mut session = store.open_maildrop(&alice).expect("open");
    let uids: Vec<_> = session.messages().iter().map(|m| m.uid.clone()).collect();
    session.mark_deleted(1).expect("dele");
    assert!(session.messages()[1].deleted);
    assert!(matches!(
        session.mark_deleted(1),
        Err(StoreError::MessageDeleted(1))
    ));
    assert!(matches!(
        session.read(1),
        Err(StoreError::MessageDeleted(1))
    ));
    assert!(matches!(
        session.read_top(1, 0),
        Err(StoreError::MessageDeleted(1))
    ));
    assert_eq!(session.stat().0, 2);
    session.reset();
    assert_eq!(session.stat().0, 3);
    session.mark_deleted(0).expect("dele");
    session.mark_deleted(2).expect("dele");
    let summary = session.commit().expect("commit");
    assert_eq!((summary.removed, summary.kept), (2, 1));
    let session = store.open_maildrop(&alice).expect("open");
    let left: Vec<_> = session.messages().iter().map(|m| m.uid.clone()).collect();
    assert_eq!(left, vec![uids[1].clone()]);
}

/// The same message has the same uid in every session.
pub fn uids_are_stable_across_sessions(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    store.deliver(&alice, LF_MESSAGE).expect("deliver");
    let mut first = store.open_maildrop(&alice).expect("open");
    let before = first.messages().to_vec();
    read_all(&mut first, 0);
    first.commit().expect("commit");
    let second = store.open_maildrop(&alice).expect("open");
    assert_eq!(second.messages(), &before[..]);
}

/// The listing is fixed at open; new mail waits for the next session.
pub fn mail_delivered_during_a_session_shows_next_time(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    let mut session = store.open_maildrop(&alice).expect("open");
    let late = store
        .deliver(&alice, LF_MESSAGE)
        .expect("deliver during session");
    assert_eq!(session.messages().len(), 1);
    session.mark_deleted(0).expect("dele");
    session.commit().expect("commit");
    let session = store.open_maildrop(&alice).expect("open");
    assert_eq!(session.messages().len(), 1);
    assert_eq!(session.messages()[0].uid, late.uid);
}

/// Dropping a delivery before commit delivers nothing.
pub fn an_abandoned_delivery_leaves_nothing(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    let mut delivery = store.begin_delivery(&alice).expect("begin");
    delivery.write(CRLF_MESSAGE).expect("write");
    drop(delivery);
    let session = store.open_maildrop(&alice).expect("open");
    assert!(session.messages().is_empty());
}

/// RFC 1939 §7 TOP.
pub fn top_gives_the_header_and_n_lines(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    store.deliver(&alice, LF_MESSAGE).expect("deliver");
    let mut session = store.open_maildrop(&alice).expect("open");
    let header_end = CRLF_MESSAGE
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("blank line")
        + 4;
    let top = |s: &mut _, i, n| -> Vec<u8> {
        Maildrop::read_top(s, i, n)
            .expect("top")
            .read_to_vec()
            .expect("chunks")
    };
    assert_eq!(top(&mut session, 0, 0), &CRLF_MESSAGE[..header_end]);
    assert_eq!(top(&mut session, 0, 2), &CRLF_MESSAGE[..header_end + 16]);
    assert_eq!(top(&mut session, 0, 100), CRLF_MESSAGE);
    assert_eq!(
        top(&mut session, 1, 0),
        b"From: c@example.org\r\nSubject: two\r\n\r\n"
    );
}

/// A message written a byte at a time is the same message.
pub fn chunked_deliveries_equal_whole_ones(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    let mut delivery = store.begin_delivery(&alice).expect("begin");
    for byte in CRLF_MESSAGE {
        delivery.write(std::slice::from_ref(byte)).expect("write");
    }
    let delivered = delivery.commit().expect("commit");
    let big: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("line {i} of a long message\r\n").into_bytes())
        .collect();
    store
        .deliver_from(&alice, &mut &big[..])
        .expect("deliver_from");
    let mut session = store.open_maildrop(&alice).expect("open");
    assert_eq!(session.messages()[0].size, delivered.size);
    assert_eq!(read_all(&mut session, 0), CRLF_MESSAGE);
    assert_eq!(session.messages()[1].size, big.len() as u64);
    assert_eq!(read_all(&mut session, 1), big);
}

/// Out-of-range numbers are errors, not panics.
pub fn bad_message_numbers_are_refused(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    let mut session = store.open_maildrop(&alice).expect("open");
    assert!(matches!(session.read(1), Err(StoreError::NoSuchMessage(1))));
    assert!(matches!(
        session.read_top(usize::MAX, 1),
        Err(StoreError::NoSuchMessage(_))
    ));
    assert!(matches!(
        session.mark_deleted(7),
        Err(StoreError::NoSuchMessage(7))
    ));
    assert!(session.message(0).is_ok());
}

/// Messages at the edges of what SMTP or a local program hands over: the
/// listing's size is exactly the octets RETR gives (RFC 1939 §5 LIST, §7
/// TOP: a server that says one size and sends another breaks clients), the
/// listing keeps delivery order, and a message already in CRLF form reads
/// back unchanged.
pub fn odd_messages_keep_their_pop3_size(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    let mut long_line = vec![b'x'; 200_000];
    long_line.extend_from_slice(b"\r\n");
    let messages: [(&[u8], bool); 9] = [
        // (message, already CRLF-clean)
        (b"", true),
        (b"Subject: no newline at all", true),
        (b"Subject: x\r\n\r\nno final newline", true),
        (b"Subject: x\r\n\r\n.\r\n..\r\n.x\r\n", true),
        (b"Subject: \xff\x00\r\n\r\n8 bit \x80\x00\r\n", true),
        (&long_line, true),
        (b"a bare\rCR\r\n", false),
        (b"CR CR LF\r\r\n\r\n", false),
        (b"\n\n\r\n\n", false),
    ];
    let mut uids = Vec::new();
    for (message, _) in &messages {
        let delivered = store.deliver(&alice, message).expect("deliver");
        uids.push(delivered);
    }
    let mut session = store.open_maildrop(&alice).expect("open");
    let listing = session.messages().to_vec();
    assert_eq!(listing.len(), messages.len());
    for (index, ((message, clean), delivered)) in messages.iter().zip(&uids).enumerate() {
        let info = &listing[index];
        assert_eq!(info.uid, delivered.uid, "delivery order at {index}");
        assert_eq!(info.size, delivered.size, "message {index}");
        let read = read_all(&mut session, index);
        assert_eq!(
            read.len() as u64,
            info.size,
            "message {index}: LIST vs RETR"
        );
        if *clean {
            assert_eq!(read, *message, "message {index}");
        }
        let top = session
            .read_top(index, usize::MAX)
            .expect("top")
            .read_to_vec()
            .expect("top chunks");
        assert_eq!(top, read, "message {index}: TOP with every line");
    }
}

/// RFC 1939 §6: QUIT with nothing deleted removes nothing and frees the
/// maildrop.
pub fn a_commit_with_nothing_deleted_keeps_everything(store: &impl MailStore) {
    let alice = mailbox(store, "alice");
    store.deliver(&alice, CRLF_MESSAGE).expect("deliver");
    store.deliver(&alice, LF_MESSAGE).expect("deliver");
    let mut session = store.open_maildrop(&alice).expect("open");
    let before = session.messages().to_vec();
    read_all(&mut session, 1);
    session.mark_deleted(0).expect("dele");
    session.reset();
    let summary = session.commit().expect("commit");
    assert_eq!((summary.removed, summary.kept), (0, 2));
    let session = store.open_maildrop(&alice).expect("open after commit");
    assert_eq!(session.messages(), &before[..]);
}

/// The invariants every input must keep in the store's parsers and
/// converters, however it is cut into `chunks`: run by the `store_input`
/// fuzz target and by the test replaying its regressions.
///
/// Line endings: the CRLF form read back has exactly the size a listing
/// reports, and conversions do not depend on where chunks are cut. TOP:
/// a prefix of the whole message, the same for any cut. Names and
/// addresses: never a panic, and what is accepted keeps its promises
/// (a mailbox name cannot leave the store's directory; a UIDL fits RFC 1939
/// §7).
pub fn input_invariants(chunks: &[&[u8]]) {
    use bytes::Bytes;

    use crate::{CrlfCounter, CrlfToLf, LfToCrlf, MessageChunks, Uid, UserDirectory};

    let whole: Vec<u8> = chunks.concat();

    let mut to_crlf = LfToCrlf::new();
    let mut counter = CrlfCounter::new();
    let mut crlf_chunked = Vec::new();
    for chunk in chunks {
        counter.feed(chunk);
        crlf_chunked.extend_from_slice(&to_crlf.convert(Bytes::copy_from_slice(chunk)));
    }
    let crlf_whole = LfToCrlf::new().convert(Bytes::copy_from_slice(&whole));
    assert_eq!(crlf_chunked, crlf_whole);
    assert_eq!(counter.size(), crlf_whole.len() as u64);
    assert_eq!(CrlfCounter::count(&whole), crlf_whole.len() as u64);

    let to_lf = |pieces: &[&[u8]]| {
        let mut out = Vec::new();
        let mut conv = CrlfToLf::new();
        let mut sink = |b: &[u8]| -> Result<(), ()> {
            out.extend_from_slice(b);
            Ok(())
        };
        for piece in pieces {
            let _ = conv.convert(piece, &mut sink);
        }
        let _ = conv.finish(&mut sink);
        out
    };
    assert_eq!(to_lf(chunks), to_lf(&[&whole]));

    let lines = usize::from(whole.first().copied().unwrap_or(0) % 8);
    let owned: Vec<Vec<u8>> = chunks.iter().map(|c| c.to_vec()).collect();
    let top_chunked =
        MessageChunks::from_reader(ChunkReader(owned.into_iter(), Vec::new()), "fuzz", true)
            .top(lines)
            .read_to_vec()
            .expect("in memory");
    let top_whole = MessageChunks::from_bytes(crlf_whole.clone())
        .top(lines)
        .read_to_vec()
        .expect("in memory");
    assert_eq!(top_chunked, top_whole);
    assert!(crlf_whole.starts_with(&top_whole));

    let text = String::from_utf8_lossy(&whole);
    let uid = Uid::from_name(&text);
    assert!((1..=70).contains(&uid.as_str().len()));
    assert!(uid.as_str().bytes().all(|b| (0x21..=0x7e).contains(&b)));
    if let Ok(name) = MailboxName::new(text.as_ref()) {
        assert!(!name.as_str().contains('/') && !name.as_str().starts_with('.'));
    }
    let mut directory = UserDirectory::new().with_subaddress_separator('+');
    directory
        .add_user(
            "alice@example.org",
            MailboxName::new("alice").expect("valid"),
        )
        .expect("valid");
    if let Ok(mailbox) = directory.resolve(&text) {
        assert_eq!(mailbox.as_str(), "alice");
    }
}

/// Gives the chunks one `read` at a time (a chunk larger than the buffer
/// over several), so a reader sees the same cuts.
struct ChunkReader(std::vec::IntoIter<Vec<u8>>, Vec<u8>);

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // An empty chunk is no end of input: `Ok(0)` would say it was.
        while self.1.is_empty() {
            match self.0.next() {
                None => return Ok(0),
                Some(chunk) => self.1 = chunk,
            }
        }
        let n = self.1.len().min(buf.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1.drain(..n);
        Ok(n)
    }
}
