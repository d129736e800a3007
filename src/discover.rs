//! Finding the configuration files of an environment.
//!
//! Walks a folder with walkdir in a deterministic (name-sorted) order and keeps
//! `*.yaml`, `*.yml` and `*.json` files, skipping hidden files and folders and the
//! configured ignore globs. Symbolic links are not followed unless asked; when they
//! are, loops are detected. Problems met on the way (unreadable folders, loops,
//! vanished paths, and a named pipe, socket or device where a configuration file
//! would be: never opened, as reading a pipe waits for a writer) are findings, so the
//! rest of the tree is still checked.

use crate::finding::{Finding, Location, Severity};
use crate::source::{Position, SourceFile, Span};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Follow symbolic links (loops are then detected and reported).
    pub follow_symlinks: bool,
    /// Paths to skip.
    pub ignore: IgnoreSet,
}

/// Compiled ignore globs, matched against paths relative to each root given.
#[derive(Debug, Clone, Default)]
pub struct IgnoreSet {
    globs: Option<GlobSet>,
    bases: Vec<PathBuf>,
}

impl IgnoreSet {
    /// Compile glob patterns; `bases` are folders the patterns are relative to
    /// (the config file's folder), in addition to each walked root.
    ///
    /// # Errors
    /// Returns the glob and the reason when a pattern is invalid.
    pub fn new(patterns: &[String], bases: Vec<PathBuf>) -> Result<Self, String> {
        if patterns.is_empty() {
            return Ok(IgnoreSet::default());
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob =
                Glob::new(pattern).map_err(|e| format!("invalid ignore glob `{pattern}`: {e}"))?;
            builder.add(glob);
        }
        let globs = builder.build().map_err(|e| e.to_string())?;
        Ok(IgnoreSet {
            globs: Some(globs),
            bases,
        })
    }

    fn is_ignored(&self, root: &Path, path: &Path) -> bool {
        let Some(globs) = &self.globs else {
            return false;
        };
        std::iter::once(root)
            .chain(self.bases.iter().map(PathBuf::as_path))
            .filter_map(|base| path.strip_prefix(base).ok())
            .any(|relative| globs.is_match(relative))
    }
}

/// The files found under a root, and the problems met.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Configuration files, sorted.
    pub files: Vec<PathBuf>,
    /// Walk problems.
    pub findings: Vec<Finding>,
}

/// Whether a path names a configuration file by its extension.
#[must_use]
pub fn is_config_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Whether walking `root` reaches `path` (a file below it): no hidden name on the way,
/// a configuration file's extension, not ignored.
#[must_use]
pub fn is_walked(root: &Path, path: &Path, options: &WalkOptions) -> bool {
    let (Ok(real_root), Ok(real_path)) = (root.canonicalize(), path.canonicalize()) else {
        return false;
    };
    let Ok(relative) = real_path.strip_prefix(&real_root) else {
        return false;
    };
    let as_given = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    is_config_file(path)
        && !relative.iter().any(is_hidden)
        && !options.ignore.is_ignored(&real_root, &real_path)
        && !options.ignore.is_ignored(root, path)
        && !options.ignore.is_ignored(root, &as_given)
}

/// Walk one root (a folder, or a single file).
#[must_use]
pub fn walk(root: &Path, options: &WalkOptions) -> Discovered {
    let mut found = Discovered::default();
    let walker = WalkDir::new(root)
        .follow_links(options.follow_symlinks)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if options.ignore.is_ignored(root, path) {
                    continue;
                }
                if entry.path_is_symlink() && !options.follow_symlinks {
                    if is_config_file(path) || entry.depth() > 0 {
                        found.findings.push(symlink_skipped(path));
                    }
                    continue;
                }
                let file_type = entry.file_type();
                if entry.depth() == 0 || is_config_file(path) {
                    if file_type.is_file() {
                        found.files.push(path.to_path_buf());
                    } else if !file_type.is_dir() {
                        // A named pipe, socket or device: never opened (reading a
                        // pipe waits for a writer forever), but not passed over in
                        // silence either.
                        found.findings.push(not_regular(path, file_type));
                    }
                }
            }
            Err(error) => found.findings.push(walk_error(root, &error)),
        }
    }
    found
}

fn at_path(path: &Path) -> Location {
    Location {
        source: Arc::new(SourceFile::new(path.to_path_buf(), String::new())),
        span: Span::point(Position::START),
        pointer: String::new(),
    }
}

fn symlink_skipped(path: &Path) -> Finding {
    Finding::new(
        "parse/symlink-skipped",
        Severity::Info,
        "symbolic link not followed",
        "pass --follow-symlinks (or set `follow_symlinks: true`) to check what it points to",
        at_path(path),
    )
}

fn not_regular(path: &Path, file_type: std::fs::FileType) -> Finding {
    Finding::new(
        "parse/unreadable",
        Severity::Error,
        format!("cannot read: {}", crate::regular::not_regular(file_type)),
        "replace it with a regular file, or remove it from the tree or `ignore` it",
        at_path(path),
    )
}

fn walk_error(root: &Path, error: &walkdir::Error) -> Finding {
    let path = error.path().unwrap_or(root);
    if let Some(ancestor) = error.loop_ancestor() {
        return Finding::new(
            "parse/symlink-loop",
            Severity::Error,
            format!(
                "symbolic link loop back to {}",
                crate::source::display_path(ancestor)
            ),
            "remove the link that points back into its own folder",
            at_path(path),
        );
    }
    let reason = error
        .io_error()
        .map_or_else(|| error.to_string(), ToString::to_string);
    Finding::new(
        "parse/unreadable",
        Severity::Error,
        format!("cannot read: {reason}"),
        "check that the path exists and its permissions allow reading",
        at_path(path),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: &Discovered, root: &Path) -> Vec<String> {
        found
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn walks_sorted_and_skips_hidden_and_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "b.yaml",
            "a.yml",
            "c.json",
            "notes.txt",
            ".hidden.yaml",
            ".git/x.yaml",
            "sub/d.yaml",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        let found = walk(root, &WalkOptions::default());
        assert_eq!(
            names(&found, root),
            ["a.yml", "b.yaml", "c.json", "sub/d.yaml"]
        );
        assert!(found.findings.is_empty());
    }

    #[test]
    fn ignore_globs_match_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in ["keep.yaml", "drafts/skip.yaml"] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        let ignore = IgnoreSet::new(&["drafts/**".to_owned()], Vec::new()).unwrap();
        let found = walk(
            root,
            &WalkOptions {
                follow_symlinks: false,
                ignore,
            },
        );
        assert_eq!(names(&found, root), ["keep.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_a_finding_when_following() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/x.yaml"), "{}").unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        let found = walk(
            root,
            &WalkOptions {
                follow_symlinks: true,
                ignore: IgnoreSet::default(),
            },
        );
        assert_eq!(names(&found, root), ["a/x.yaml"]);
        assert_eq!(found.findings.len(), 1);
        assert_eq!(found.findings[0].rule, "parse/symlink-loop");
    }
}
