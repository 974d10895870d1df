//! How an async adapter uses the blocking trait without blocking its
//! executor (the crate doc's rule): every store call runs in
//! `spawn_blocking`, and chunks cross between the two sides through
//! channels. On a current-thread runtime, a store call made on the executor
//! would deadlock these tests (the timeouts would fire) instead of passing.

use std::sync::Arc;
use std::time::Duration;

use yubin_store::{Delivery, MailStore, MailboxName, MaildirConfig, MaildirStore, Maildrop};

#[tokio::test(flavor = "current_thread")]
async fn chunks_stream_from_async_code_into_a_delivery_and_back_out() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(MaildirStore::new(tmp.path(), MaildirConfig::default()));
    let alice = MailboxName::new("alice").unwrap();
    {
        let (store, alice) = (store.clone(), alice.clone());
        tokio::task::spawn_blocking(move || store.create_mailbox(&alice))
            .await
            .unwrap()
            .unwrap();
    }

    // SMTP side: body chunks arrive on the async side, one by one.
    let (to_store, mut from_async) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
    let writer = {
        let (store, alice) = (store.clone(), alice.clone());
        tokio::task::spawn_blocking(move || {
            let mut delivery = store.begin_delivery(&alice)?;
            while let Some(chunk) = from_async.blocking_recv() {
                delivery.write(&chunk)?;
            }
            delivery.commit()
        })
    };
    let mut expected = b"Subject: async\r\n\r\n".to_vec();
    to_store.send(expected.clone()).await.unwrap();
    for line in 0..200 {
        let chunk = format!("line {line}\r\n").into_bytes();
        expected.extend_from_slice(&chunk);
        to_store.send(chunk).await.unwrap();
    }
    drop(to_store);
    let delivered = tokio::time::timeout(Duration::from_secs(30), writer)
        .await
        .expect("the delivery finished")
        .unwrap()
        .unwrap();
    assert_eq!(delivered.size, expected.len() as u64);

    // POP3 side: the maildrop lives on a blocking thread, RETR's chunks
    // come back to the async side.
    let (to_async, mut from_store) = tokio::sync::mpsc::channel(1);
    let reader = tokio::task::spawn_blocking(move || {
        let mut maildrop = store.open_maildrop(&alice)?;
        for chunk in maildrop.read(0)? {
            if to_async.blocking_send(chunk?).is_err() {
                break;
            }
        }
        maildrop.mark_deleted(0)?;
        maildrop.commit()
    });
    let mut received = Vec::new();
    while let Some(chunk) = from_store.recv().await {
        received.extend_from_slice(&chunk);
    }
    assert_eq!(received, expected);
    let summary = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("the session finished")
        .unwrap()
        .unwrap();
    assert_eq!(summary.removed, 1);
}
