//! Reads the Dovecot-style Maildir of the shared corpus
//! (`../shared/corpus/mail-parser/maildir`), copied to a temporary directory
//! first because the corpus is read-only.

use std::fs;
use std::path::{Path, PathBuf};

use yubin_store::{Maildir, MaildirConfig, Maildrop, Uid};

fn corpus_maildir() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mail-parser/maildir");
    assert!(
        path.is_dir(),
        "the shared corpus is missing: {} (see the README's Testing section)",
        path.display()
    );
    path
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
            // The copy keeps the corpus's read-only bits; a Maildir's
            // messages are the owner's to rename and remove.
            let mut perms = fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            fs::set_permissions(&target, perms).unwrap();
        }
    }
    // The corpus has no (empty) tmp/ folders; a Maildir needs them.
    if from.join("new").is_dir() {
        fs::create_dir_all(to.join("tmp")).unwrap();
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A message's unique part and its content as POP3 sends it.
type Expected = (&'static str, &'static [u8]);

#[test]
fn the_corpus_maildir_and_its_folders_are_listed_and_read() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&corpus_maildir(), tmp.path());
    // (folder, [(unique part, content)]) in delivery order. The files hold
    // two bytes each while their `,S=` names claim more: the store checks
    // `S=` against the file and counts the real size instead of trusting it.
    let long = "1491941793.M41850P8566V0000000000000015I0000000004F3030E_0.mx1.example.com";
    let folders: [(&str, [Expected; 2]); 3] = [
        (
            "",
            [
                ("1234567890.M20046P2137.mailserver", b"b\r\n"),
                (long, b"a\r\n"),
            ],
        ),
        (
            ".My Folder",
            [
                ("1035478339.27041_118.foo.org", b"c\r\n"),
                ("1276528487.M364837P9451.kurkku", b"d\r\n"),
            ],
        ),
        (
            ".My Folder.Nested Folder",
            [
                ("1035478339.27041_118.foo.org", b"f\r\n"),
                ("1276533073.M242911P3632.kurkku", b"e\r\n"),
            ],
        ),
    ];
    for (folder, expected) in folders {
        let path = tmp.path().join(folder);
        let maildir = Maildir::open(&path, MaildirConfig::default()).unwrap();
        let mut drop = maildir.open_maildrop().unwrap();
        let listing = drop.messages().to_vec();
        assert_eq!(listing.len(), expected.len(), "{folder}");
        for (index, (unique, content)) in expected.iter().enumerate() {
            assert_eq!(listing[index].uid, Uid::from_name(unique), "{folder}");
            assert_eq!(listing[index].size, content.len() as u64, "{folder}");
            let read = drop.read(index).unwrap().read_to_vec().unwrap();
            assert_eq!(&read, content, "{folder} {unique}");
        }
    }
    // The 74-character unique part is too long for UIDL (RFC 1939 §7).
    assert_eq!(Uid::from_name(long).as_str().len(), 64);
}

#[test]
fn a_session_on_the_corpus_keeps_dovecot_names_and_flags() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&corpus_maildir(), tmp.path());
    let maildir = Maildir::open(tmp.path(), MaildirConfig::default()).unwrap();
    let mut drop = maildir.open_maildrop().unwrap();
    // 0 is new/1234567890...,S=4542,W=4642;2,Sb, 1 is the cur/ one.
    drop.read(0).unwrap().read_to_vec().unwrap();
    drop.mark_deleted(1).unwrap();
    let summary = drop.commit().unwrap();
    assert_eq!((summary.removed, summary.kept), (1, 1));
    assert_eq!(names(&tmp.path().join("new")), Vec::<String>::new());
    // Moved to cur/ with its `;` separator, its fields and its flags kept
    // (it was already seen: `S` is not added twice).
    assert_eq!(
        names(&tmp.path().join("cur")),
        ["1234567890.M20046P2137.mailserver,S=4542,W=4642;2,Sb"]
    );
    assert!(!tmp.path().join("yubin-pop3.lock").exists());
}
