//! Embeds the built-in plugin schemas (`src/schema/plugins/*.json`) in the binary.
//!
//! Generates `$OUT_DIR/builtin_plugins.rs`: a sorted slice of `(file stem, contents)`
//! built with `include_str!`, so adding a schema file is all it takes to ship it.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    embed_dir("src/schema/plugins", "json", &Path::new(&out_dir).join("builtin_plugins.rs"));
}

/// Write a `&[(&str, &str)]` literal of every `*.ext` file in `dir`, sorted by name.
fn embed_dir(dir: &str, ext: &str, out: &Path) {
    println!("cargo:rerun-if-changed={dir}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("&[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let _ = writeln!(code, "    ({stem:?}, include_str!({:?})),", path.display().to_string());
    }
    code.push(']');
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
