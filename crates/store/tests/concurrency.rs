//! Deliveries and POP3 sessions on one mailbox at the same time: every
//! message delivered is seen whole exactly once, and sessions exclude each
//! other.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use yubin_store::{MailStore, MailboxName, MaildirConfig, MaildirStore, Maildrop, StoreError};

const WRITERS: usize = 4;
const PER_WRITER: usize = 25;
const SESSIONS: usize = 2;

fn message(writer: usize, n: usize) -> Vec<u8> {
    let mut m = format!("Subject: w{writer} n{n}\r\n\r\n").into_bytes();
    for line in 0..(n * 37 % 200) {
        m.extend_from_slice(format!("w{writer} n{n} line {line}\r\n").as_bytes());
    }
    m
}

#[test]
fn deliveries_and_sessions_at_once_lose_nothing_and_duplicate_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let alice = MailboxName::new("alice").unwrap();
    // Separate store values, as separate processes would have.
    let setup = MaildirStore::new(tmp.path(), MaildirConfig::default());
    setup.create_mailbox(&alice).unwrap();

    let writers_done = Arc::new(AtomicUsize::new(0));
    let in_session = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let mut threads = Vec::new();
    for writer in 0..WRITERS {
        let store = MaildirStore::new(tmp.path(), MaildirConfig::default());
        let alice = alice.clone();
        let writers_done = writers_done.clone();
        threads.push(std::thread::spawn(move || {
            for n in 0..PER_WRITER {
                store.deliver(&alice, &message(writer, n)).unwrap();
            }
            writers_done.fetch_add(1, Ordering::SeqCst);
        }));
    }
    for _ in 0..SESSIONS {
        let store = MaildirStore::new(tmp.path(), MaildirConfig::default());
        let alice = alice.clone();
        let (writers_done, in_session, seen) =
            (writers_done.clone(), in_session.clone(), seen.clone());
        threads.push(std::thread::spawn(move || {
            // Bounded: the writers finish long before this many rounds.
            for _ in 0..20_000 {
                let finished = writers_done.load(Ordering::SeqCst) == WRITERS;
                let mut session = match store.open_maildrop(&alice) {
                    Ok(session) => session,
                    Err(StoreError::InUse { .. }) => {
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    Err(e) => panic!("{e}"),
                };
                assert!(
                    !in_session.swap(true, Ordering::SeqCst),
                    "two sessions held the maildrop at once"
                );
                let count = session.messages().len();
                for i in 0..count {
                    let bytes = session.read(i).unwrap().read_to_vec().unwrap();
                    assert_eq!(bytes.len() as u64, session.messages()[i].size);
                    seen.lock().unwrap().push(bytes);
                    session.mark_deleted(i).unwrap();
                }
                in_session.store(false, Ordering::SeqCst);
                session.commit().unwrap();
                if finished && count == 0 {
                    return;
                }
            }
            panic!("the sessions never drained the mailbox");
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    let expected: HashSet<Vec<u8>> = (0..WRITERS)
        .flat_map(|w| (0..PER_WRITER).map(move |n| message(w, n)))
        .collect();
    assert_eq!(seen.len(), WRITERS * PER_WRITER, "each message seen once");
    let seen: HashSet<Vec<u8>> = seen.iter().cloned().collect();
    assert_eq!(seen, expected);
    let left = setup.open_maildrop(&alice).unwrap();
    assert!(left.messages().is_empty());
}
