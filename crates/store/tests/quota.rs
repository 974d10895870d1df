//! Quotas refuse deliveries with the error that picks the right SMTP reply.

use yubin_store::{
    Delivery, MailStore, MailboxName, MaildirConfig, MaildirStore, Maildrop, MemoryStore, Quota,
    QuotaKind, StoreError,
};

fn check_quota(store: &impl MailStore) {
    let alice = MailboxName::new("alice").unwrap();
    store.create_mailbox(&alice).unwrap();
    let message = b"Subject: q\r\n\r\n0123456789\r\n"; // 28 octets
    store.deliver(&alice, message).unwrap();
    store.deliver(&alice, message).unwrap();
    // 56 of 64 octets used: a third does not fit now (452, temporary).
    let err = store.deliver(&alice, message).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::QuotaExceeded {
                kind: QuotaKind::MailboxFull,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!((err.smtp_code(), err.is_temporary()), (452, true));
    // Freeing space lets mail in again.
    let mut session = store.open_maildrop(&alice).unwrap();
    for i in 0..session.messages().len() {
        session.mark_deleted(i).unwrap();
    }
    session.commit().unwrap();
    // Larger than the whole quota: never fits (552, permanent), refused as
    // soon as the part written is too large.
    let mut delivery = store.begin_delivery(&alice).unwrap();
    delivery.write(&[b'x'; 40]).unwrap();
    let err = delivery.write(&[b'x'; 40]).unwrap_err();
    assert_eq!((err.smtp_code(), err.is_temporary()), (552, false));
    // The incomplete message cannot be committed by mistake.
    assert!(matches!(
        delivery.write(b"x"),
        Err(StoreError::DeliveryAborted)
    ));
    assert!(matches!(
        delivery.commit(),
        Err(StoreError::DeliveryAborted)
    ));
    assert!(store.open_maildrop(&alice).unwrap().messages().is_empty());
    store.deliver(&alice, message).unwrap();
}

#[test]
fn memory_store_quota() {
    check_quota(&MemoryStore::new().with_quota(Quota::unlimited().with_max_bytes(64)));
}

#[test]
fn maildir_store_quota() {
    let root = tempfile::tempdir().unwrap();
    let config = MaildirConfig::default().with_quota(Quota::unlimited().with_max_bytes(64));
    check_quota(&MaildirStore::new(root.path(), config));
}

#[test]
fn message_count_quota() {
    let store = MemoryStore::new().with_quota(Quota::unlimited().with_max_messages(1));
    let alice = MailboxName::new("alice").unwrap();
    store.create_mailbox(&alice).unwrap();
    store.deliver(&alice, b"a\r\n").unwrap();
    let err = store.deliver(&alice, b"b\r\n").unwrap_err();
    assert_eq!(err.smtp_code(), 452);
}
