//! The committed APISIX schemas (`schemas/apisix/<version>/`) are what
//! `tools/apisix-schemas/generate.sh` writes: regenerate every version into a
//! temporary directory and require the same files, byte for byte, both ways.
//!
//! Needs `luajit` with lua-cjson and a git directory of apache/apisix (bare or
//! not) named in `GWLINT_APISIX_GIT`, so it is ignored by default:
//!
//! ```text
//! GWLINT_APISIX_GIT=/path/to/apisix.git cargo test --test apisix_schemas_regen -- --ignored
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The APISIX versions under `schemas/apisix/`, each generated from the tag of its name.
const VERSIONS: &[&str] = &["3.18.0", "3.2.2"];

/// Every file below `root`, as paths relative to `root`.
fn files(root: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| entry.path().strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

#[test]
#[ignore = "needs luajit and an apache/apisix git dir in GWLINT_APISIX_GIT"]
fn committed_schemas_match_a_fresh_extraction() {
    let git_dir = std::env::var_os("GWLINT_APISIX_GIT")
        .expect("GWLINT_APISIX_GIT must name a git directory of apache/apisix");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tools/apisix-schemas/generate.sh");
    let scratch = tempfile::tempdir().unwrap();

    for version in VERSIONS {
        let committed = root.join("schemas/apisix").join(version);
        let fresh = scratch.path().join(version);
        let output = Command::new("bash")
            .arg(&script)
            .arg(&git_dir)
            .arg(version)
            .arg(&fresh)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "generate.sh {version} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );

        let committed_files = files(&committed);
        let fresh_files = files(&fresh);
        let only_committed: Vec<_> = committed_files.difference(&fresh_files).collect();
        let only_fresh: Vec<_> = fresh_files.difference(&committed_files).collect();
        assert!(
            only_committed.is_empty() && only_fresh.is_empty(),
            "{version}: files only in schemas/apisix/{version}: {only_committed:?}; \
             files only in the fresh extraction: {only_fresh:?}"
        );
        assert!(
            !committed_files.is_empty(),
            "schemas/apisix/{version} is empty"
        );

        let differing: Vec<_> = committed_files
            .iter()
            .filter(|path| {
                std::fs::read(committed.join(path)).unwrap()
                    != std::fs::read(fresh.join(path)).unwrap()
            })
            .collect();
        assert!(
            differing.is_empty(),
            "{version}: regenerated files differ from schemas/apisix/{version}: {differing:?}"
        );
    }
}
