//! The workspace's own rules, checked from the manifests: the crate map, the
//! direction of dependencies, and the shared lints.

use std::collections::BTreeSet;
use std::path::Path;

/// Each crate, and the yubin crates it may depend on (DESIGN.md: dependencies
/// point down the crate map, never up).
const CRATE_MAP: &[(&str, &[&str])] = &[
    ("message", &[]),
    ("sasl", &[]),
    ("smtp", &["sasl", "message"]),
    ("pop3", &["sasl", "message"]),
    ("store", &["message"]),
    ("tokio", &["message", "sasl", "smtp", "pop3", "store"]),
    (
        "relay",
        &["message", "sasl", "smtp", "pop3", "store", "tokio"],
    ),
];

/// Crates that may know an async runtime.
const ASYNC_LAYERS: &[&str] = &["tokio", "relay"];

fn manifest(dir: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(dir)
        .join("Cargo.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The dependency names of one `[section]` of a manifest (top-level keys only).
fn section_keys(manifest: &str, section: &str) -> BTreeSet<String> {
    let header = format!("[{section}]");
    let mut in_section = false;
    let mut keys = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == header;
        } else if in_section
            && !line.starts_with('#')
            && let Some((key, _)) = line.split_once('=')
        {
            keys.insert(key.trim().to_owned());
        }
    }
    keys
}

#[test]
fn every_crate_of_the_map_exists_with_its_package_name() {
    for (dir, _) in CRATE_MAP {
        let manifest = manifest(&format!("crates/{dir}"));
        assert!(
            manifest.contains(&format!("name = \"yubin-{dir}\"")),
            "crates/{dir} is not the package yubin-{dir}"
        );
    }
    let crates_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let on_disk = std::fs::read_dir(crates_dir).unwrap().count();
    assert_eq!(
        on_disk,
        CRATE_MAP.len(),
        "a crate is missing from CRATE_MAP"
    );
}

#[test]
fn dependencies_point_down_the_crate_map() {
    for (dir, allowed) in CRATE_MAP {
        let manifest = manifest(&format!("crates/{dir}"));
        for section in ["dependencies", "build-dependencies"] {
            for dep in section_keys(&manifest, section) {
                if let Some(ours) = dep.strip_prefix("yubin-") {
                    assert!(
                        allowed.contains(&ours),
                        "yubin-{dir} must not depend on {dep}"
                    );
                }
                if dep == "tokio" || dep == "tokio-util" || dep == "tokio-rustls" {
                    assert!(
                        ASYNC_LAYERS.contains(dir),
                        "yubin-{dir} is below the adapters and must not depend on {dep}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_crate_uses_the_workspace_lints_and_package_fields() {
    for (dir, _) in CRATE_MAP {
        let manifest = manifest(&format!("crates/{dir}"));
        assert!(
            section_keys(&manifest, "lints").contains("workspace"),
            "yubin-{dir} does not inherit [workspace.lints]"
        );
        for field in ["edition", "rust-version", "license"] {
            assert!(
                manifest.contains(&format!("{field}.workspace = true")),
                "yubin-{dir} does not inherit {field} from the workspace"
            );
        }
    }
    let root = manifest(".");
    let lints = section_keys(&root, "workspace.lints.rust");
    for lint in [
        "unsafe_code",
        "missing_docs",
        "unreachable_pub",
        "missing_debug_implementations",
    ] {
        assert!(lints.contains(lint), "[workspace.lints.rust] lacks {lint}");
    }
}

#[test]
fn the_facade_has_one_feature_per_crate_all_on_by_default() {
    let root = manifest(".");
    let features = section_keys(&root, "features");
    for (dir, _) in CRATE_MAP {
        assert!(features.contains(*dir), "the facade has no feature {dir}");
        assert!(
            root.contains(&format!("{dir} = [\"dep:yubin-{dir}\"]")),
            "feature {dir} does not enable yubin-{dir}"
        );
    }
    let default_line = root
        .lines()
        .find(|line| line.starts_with("default = "))
        .expect("the facade has default features");
    for (dir, _) in CRATE_MAP {
        assert!(
            default_line.contains(&format!("\"{dir}\"")),
            "{dir} is not a default feature"
        );
    }
}
