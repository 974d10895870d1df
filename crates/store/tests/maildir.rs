//! What the Maildir store leaves on disk, and how it copes with other
//! programs sharing the Maildir.

use std::fs;
use std::path::Path;
use std::time::Duration;

use yubin_store::{
    Delivery, MailStore, MailboxName, Maildir, MaildirConfig, MaildirStore, Maildrop, StoreError,
};

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

const MESSAGE: &[u8] = b"Subject: hi\r\n\r\nline one\r\nline two\r\n";
const STORED: &[u8] = b"Subject: hi\n\nline one\nline two\n";

#[test]
fn a_delivery_lands_in_new_with_sizes_in_its_name_and_lf_endings() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = Maildir::create(
        tmp.path().join("alice"),
        MaildirConfig::default().with_hostname("mx1.example.org"),
    )
    .unwrap();
    let delivered = maildir.deliver(MESSAGE).unwrap();
    assert!(names(&maildir.path().join("tmp")).is_empty());
    assert!(names(&maildir.path().join("cur")).is_empty());
    let new = names(&maildir.path().join("new"));
    assert_eq!(new.len(), 1);
    let expected_suffix = format!(".mx1.example.org,S={},W={}", STORED.len(), MESSAGE.len());
    assert!(new[0].ends_with(&expected_suffix), "{}", new[0]);
    assert_eq!(format!("{},S=31,W=35", delivered.uid), new[0]);
    assert_eq!(
        fs::read(maildir.path().join("new").join(&new[0])).unwrap(),
        STORED
    );
    assert_eq!(delivered.size, MESSAGE.len() as u64);
    assert_eq!(maildir.dir_fsyncs(), 1);
    // Private to the mailbox's owner.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&maildir.path().join("new").join(&new[0])), 0o600);
    for sub in ["tmp", "new", "cur"] {
        assert_eq!(mode(&maildir.path().join(sub)), 0o700, "{sub}");
    }
}

#[test]
fn host_names_are_sanitized_in_unique_names() {
    let tmp = tempfile::tempdir().unwrap();
    let config = MaildirConfig::default().with_hostname("a/b:c,d");
    let maildir = Maildir::create(tmp.path(), config).unwrap();
    let delivered = maildir.deliver(MESSAGE).unwrap();
    assert!(
        delivered.uid.as_str().ends_with(".a\\057b\\072c\\054d"),
        "{}",
        delivered.uid
    );
}

#[test]
fn a_session_moves_what_it_saw_to_cur_and_flags_what_it_retrieved() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = Maildir::create(tmp.path(), MaildirConfig::default()).unwrap();
    let retrieved = maildir.deliver(MESSAGE).unwrap();
    let only_top = maildir.deliver(MESSAGE).unwrap();
    let mut session = maildir.open_maildrop().unwrap();
    session.read(0).unwrap().read_to_vec().unwrap();
    session.read_top(1, 0).unwrap().read_to_vec().unwrap();
    session.commit().unwrap();
    assert!(names(&tmp.path().join("new")).is_empty());
    assert_eq!(
        names(&tmp.path().join("cur")),
        [
            format!("{},S=31,W=35:2,S", retrieved.uid),
            format!("{},S=31,W=35:2,", only_top.uid),
        ]
    );
    // A later RETR of the message in cur/ adds the flag there.
    let mut session = maildir.open_maildrop().unwrap();
    session.read(1).unwrap().read_to_vec().unwrap();
    session.commit().unwrap();
    assert_eq!(
        names(&tmp.path().join("cur"))[1],
        format!("{},S=31,W=35:2,S", only_top.uid)
    );
}

#[test]
fn moving_to_cur_can_be_turned_off() {
    let tmp = tempfile::tempdir().unwrap();
    let config = MaildirConfig::default()
        .with_move_seen_to_cur(false)
        .with_mark_retrieved_seen(false);
    let maildir = Maildir::create(tmp.path(), config).unwrap();
    maildir.deliver(MESSAGE).unwrap();
    let mut session = maildir.open_maildrop().unwrap();
    session.read(0).unwrap().read_to_vec().unwrap();
    session.commit().unwrap();
    assert_eq!(names(&tmp.path().join("new")).len(), 1);
    assert!(names(&tmp.path().join("cur")).is_empty());
}

#[test]
fn messages_moved_by_another_program_during_a_session_are_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = Maildir::create(tmp.path(), MaildirConfig::default()).unwrap();
    let one = maildir.deliver(MESSAGE).unwrap();
    maildir.deliver(b"Subject: two\r\n\r\n").unwrap();
    let mut session = maildir.open_maildrop().unwrap();
    // A mail client marks both read, moving them to cur/ with flags.
    for name in names(&tmp.path().join("new")) {
        fs::rename(
            tmp.path().join("new").join(&name),
            tmp.path().join("cur").join(format!("{name}:2,RS")),
        )
        .unwrap();
    }
    assert_eq!(session.read(0).unwrap().read_to_vec().unwrap(), MESSAGE);
    session.mark_deleted(1).unwrap();
    session.commit().unwrap();
    assert_eq!(
        names(&tmp.path().join("cur")),
        [format!("{},S=31,W=35:2,RS", one.uid)]
    );
    // A message removed by another program cannot be read, and the session
    // says so without failing the rest.
    let mut session = maildir.open_maildrop().unwrap();
    assert_eq!(session.messages().len(), 1);
    fs::remove_file(
        tmp.path()
            .join("cur")
            .join(&names(&tmp.path().join("cur"))[0]),
    )
    .unwrap();
    assert!(matches!(
        session.read(0),
        Err(StoreError::MessageVanished(_))
    ));
    session.mark_deleted(0).unwrap();
    assert_eq!(session.commit().unwrap().removed, 1);
}

#[test]
fn uids_survive_a_restart_of_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let alice = MailboxName::new("alice").unwrap();
    let uids = {
        let store = MaildirStore::new(tmp.path(), MaildirConfig::default());
        store.create_mailbox(&alice).unwrap();
        store.deliver(&alice, MESSAGE).unwrap();
        store.deliver(&alice, MESSAGE).unwrap();
        let mut session = store.open_maildrop(&alice).unwrap();
        session.read(0).unwrap().read_to_vec().unwrap();
        let uids: Vec<_> = session.messages().iter().map(|m| m.uid.clone()).collect();
        session.commit().unwrap();
        uids
    };
    let store = MaildirStore::new(tmp.path(), MaildirConfig::default());
    let session = store.open_maildrop(&alice).unwrap();
    let again: Vec<_> = session.messages().iter().map(|m| m.uid.clone()).collect();
    assert_eq!(again, uids);
}

#[test]
fn a_crashed_sessions_lock_does_not_block_forever() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = Maildir::create(
        tmp.path(),
        MaildirConfig::default().with_hostname("this-host"),
    )
    .unwrap();
    // The lock file of a session that crashed: nobody holds its flock.
    fs::write(tmp.path().join("yubin-pop3.lock"), "4194305 this-host\n").unwrap();
    drop(maildir.open_maildrop().unwrap());
    // A live session: refused, with who holds it...
    let held = maildir.open_maildrop().unwrap();
    let err = maildir.open_maildrop().unwrap_err();
    let expected = format!("pid {} on this-host", std::process::id());
    assert!(
        matches!(&err, StoreError::InUse { holder: Some(h), .. } if *h == expected),
        "{err:?}"
    );
    // ...until it has not refreshed the lock for longer than the limit
    // (a hung session).
    let impatient = Maildir::open(
        tmp.path(),
        MaildirConfig::default()
            .with_hostname("this-host")
            .with_lock_stale_after(Duration::from_millis(10)),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(30));
    let taken_over = impatient.open_maildrop().unwrap();
    drop(held);
    assert!(maildir.open_maildrop().is_err(), "the new holder keeps it");
    drop(taken_over);
}

#[test]
fn abandoned_deliveries_leave_only_tmp_files_which_are_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = Maildir::create(tmp.path(), MaildirConfig::default()).unwrap();
    let mut delivery = maildir.begin_delivery().unwrap();
    delivery.write(MESSAGE).unwrap();
    // As if the process died: the file stays in tmp/.
    std::mem::forget(delivery);
    assert_eq!(names(&tmp.path().join("tmp")).len(), 1);
    assert!(names(&tmp.path().join("new")).is_empty());
    assert_eq!(
        maildir.clean_tmp(Duration::from_secs(36 * 3600)).unwrap(),
        0
    );
    assert_eq!(maildir.clean_tmp(Duration::ZERO).unwrap(), 1);
    assert!(names(&tmp.path().join("tmp")).is_empty());
}

#[test]
fn unsafe_mailbox_names_never_reach_the_file_system() {
    for bad in ["../etc", ".", "a/b"] {
        assert!(matches!(
            MailboxName::new(bad),
            Err(StoreError::InvalidMailboxName(_))
        ));
    }
}

/// A server may run with more rights than the Maildir's owner, who can put
/// anything in the Maildir: no file the store opens there is followed
/// through a symbolic link, and a message swapped for a link or a FIFO after
/// the listing is an error, not another file's content or a hang.
#[test]
fn links_and_fifos_planted_in_the_maildir_are_not_followed() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("secret");
    fs::write(&secret, "Subject: secret\n\nnot yours\n").unwrap();
    let maildir = Maildir::create(tmp.path().join("m"), MaildirConfig::default()).unwrap();
    let root = maildir.path().to_owned();

    // The lock file made a link: opening refuses, the target is untouched.
    symlink(&secret, root.join("yubin-pop3.lock")).unwrap();
    assert!(matches!(
        maildir.open_maildrop(),
        Err(StoreError::Io { .. })
    ));
    fs::remove_file(root.join("yubin-pop3.lock")).unwrap();

    // A link in new/ is not a message.
    symlink(&secret, root.join("new").join("1.M1P1Q1.link")).unwrap();
    maildir.deliver(MESSAGE).unwrap();
    maildir.deliver(MESSAGE).unwrap();
    let mut session = maildir.open_maildrop().unwrap();
    assert_eq!(session.messages().len(), 2);

    // Listed messages swapped for a link and a FIFO behind the session.
    let listed: Vec<_> = names(&root.join("new"))
        .into_iter()
        .filter(|n| !n.contains("link"))
        .collect();
    let first = root.join("new").join(&listed[0]);
    fs::remove_file(&first).unwrap();
    symlink(&secret, &first).unwrap();
    let second = root.join("new").join(&listed[1]);
    fs::remove_file(&second).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&second)
        .status()
        .unwrap();
    assert!(status.success());
    for index in 0..2 {
        match session.read(index) {
            Err(StoreError::Io { .. }) => {}
            other => panic!("message {index}: {other:?}"),
        }
    }

    // The journal's temporary file made a link during the session: the
    // commit fails and removes nothing; the target is untouched.
    symlink(&secret, root.join("yubin-pop3.deletions.tmp")).unwrap();
    session.mark_deleted(0).unwrap();
    assert!(matches!(session.commit(), Err(StoreError::Io { .. })));
    assert_eq!(
        fs::read_to_string(&secret).unwrap(),
        "Subject: secret\n\nnot yours\n"
    );
    assert!(fs::symlink_metadata(&first).is_ok());
}
