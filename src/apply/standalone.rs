//! The `standalone` engine: write the rendered `apisix.yaml` safely.
//!
//! APISIX reloads `apisix.yaml` when it changes and refuses a file without `#END`,
//! but a half-written file must never be seen at all: the new file is written to a
//! temporary file in the same folder, flushed to disk, and renamed over the old one
//! in one step. The previous file can be kept as `<name>.bak`. A dry run prints a
//! unified diff against the current file instead.

use crate::error::ToolError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `content` to `path` atomically, keeping the old file as `<path>.bak` when
/// `backup` is set.
///
/// # Errors
/// A [`ToolError`] when the file cannot be written; the old file is then untouched.
pub fn write_atomically(path: &Path, content: &str, backup: bool) -> Result<(), ToolError> {
    replace_with(path, backup, |file| file.write_all(content.as_bytes()))
}

/// The atomic replacement, with the writing step given (tests interrupt it).
///
/// # Errors
/// A [`ToolError`] when any step fails; the temporary file is removed.
pub fn replace_with(
    path: &Path,
    backup: bool,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), ToolError> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(
        || "apisix.yaml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let staging = folder.join(format!(".{name}.gwlint-{}.tmp", std::process::id()));
    let fail = |what: &str, e: std::io::Error| {
        let _ = std::fs::remove_file(&staging);
        ToolError::new(format!("{}: cannot {what}: {e}", path.display()))
    };
    let mut staged =
        std::fs::File::create(&staging).map_err(|e| fail("create a temporary file", e))?;
    fill(&mut staged).map_err(|e| fail("write", e))?;
    staged.sync_all().map_err(|e| fail("flush to disk", e))?;
    drop(staged);
    if backup && path.exists() {
        let mut backup_path = path.as_os_str().to_owned();
        backup_path.push(".bak");
        std::fs::copy(path, PathBuf::from(backup_path)).map_err(|e| fail("keep a backup", e))?;
    }
    std::fs::rename(&staging, path).map_err(|e| fail("replace the file", e))?;
    if let Ok(dir) = std::fs::File::open(&folder) {
        // Make the rename itself durable.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A unified diff from the current file (empty when missing) to `content`.
#[must_use]
pub fn unified_diff(path: &Path, content: &str) -> String {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(current.as_str(), content)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{shown} (current)"),
            &format!("{shown} (rendered)"),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "old\n#END\n").unwrap();
        write_atomically(&path, "new\n#END\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n#END\n");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("apisix.yaml.bak")).unwrap(),
            "old\n#END\n"
        );
    }

    #[test]
    fn an_interrupted_write_leaves_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "old\n#END\n").unwrap();
        let result = replace_with(&path, false, |file| {
            file.write_all(b"routes:\n  - uri: /half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(result.unwrap_err().message.contains("disk full"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n#END\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "the temporary file must be removed");
    }

    #[test]
    fn diff_shows_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "a\nb\n").unwrap();
        let diff = unified_diff(&path, "a\nc\n");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
