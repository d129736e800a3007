//! Embeds the built-in plugin schemas (`src/schema/plugins/*.json`) and the built-in
//! policy library (`policies/**/*.rego`, `policies/native/*.yaml`) in the binary.
//!
//! Generates `$OUT_DIR/builtin_plugins.rs` and `$OUT_DIR/builtin_policies.rs`: sorted
//! slices of `(name, contents)` built with `include_str!`, so adding a file is all it
//! takes to ship it. Also reads the number of mimalloc's `purge_delay` option from the
//! header mimalloc is built from (`GWLINT_MI_PURGE_DELAY_OPTION`, see src/main.rs).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    embed_dir(
        "src/schema/plugins",
        "json",
        &Path::new(&out_dir).join("builtin_plugins.rs"),
    );
    embed_tree(
        "policies",
        &["rego", "yaml"],
        &Path::new(&out_dir).join("builtin_policies.rs"),
    );
    mimalloc_purge_option();
}

/// Give the binary the number of `mi_option_purge_delay` in the `mi_option_t` of the
/// mimalloc it links, as read from that build's `mimalloc.h`; nothing when the header
/// or the option cannot be found (the binary then leaves the option alone).
fn mimalloc_purge_option() {
    let Ok(include) = std::env::var("DEP_MIMALLOC_INCLUDE_DIR") else {
        return;
    };
    let header = Path::new(&include).join("mimalloc.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let Ok(text) = std::fs::read_to_string(&header) else {
        return;
    };
    if let Some(number) = enum_number(&text, "mi_option_e", "mi_option_purge_delay") {
        println!("cargo:rustc-env=GWLINT_MI_PURGE_DELAY_OPTION={number}");
    }
}

/// The value of `name` in the C enum `tag`, when every name before it takes the
/// next number (no `=`).
fn enum_number(header: &str, tag: &str, name: &str) -> Option<usize> {
    let body = header.split(&format!("typedef enum {tag} {{")).nth(1)?;
    let body = body.split('}').next()?;
    let names: Vec<&str> = body
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    let at = names.iter().position(|item| *item == name)?;
    names[..at]
        .iter()
        .all(|item| item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(at)
}

/// Write a `&[(&str, &str)]` literal of every file below `dir` whose extension is in
/// `exts`, keyed by its path relative to `dir` (with `/`), sorted.
fn embed_tree(dir: &str, exts: &[&str], out: &Path) {
    println!("cargo:rerun-if-changed={dir}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.retain(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
    });
    files.sort();
    let mut code = String::from("&[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "    ({relative:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push(']');
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// Every file below `dir`, recursively.
fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
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
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let _ = writeln!(
            code,
            "    ({stem:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push(']');
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
