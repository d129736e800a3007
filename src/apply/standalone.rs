//! The `standalone` engine: write the rendered `apisix.yaml` safely.
//!
//! APISIX reloads `apisix.yaml` when it changes and refuses a file without `#END`,
//! but a half-written file must never be seen at all: the new file is written to a
//! temporary file in the same folder, flushed to disk, and renamed over the old one
//! in one step. The previous file can be kept as `<name>.bak`. A dry run prints a
//! unified diff against the current file instead. A symbolic link is followed, so the
//! file it points to is replaced and the link stays (Kubernetes mounts a `ConfigMap`'s
//! files as links); the new file keeps the old one's permissions. A target that is not a
//! regular file (`/dev/stdout`, a pipe) cannot be renamed over and is written in place.

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
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let current = std::fs::metadata(&target).ok();
    if current.as_ref().is_some_and(is_special_file) {
        return write_in_place(path, &target, fill);
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map_or_else(
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
    if let Some(current) = &current {
        // Before any content is written, so a file kept private never is readable by others.
        staged
            .set_permissions(current.permissions())
            .map_err(|e| fail("keep the file's permissions", e))?;
    }
    fill(&mut staged).map_err(|e| fail("write", e))?;
    staged.sync_all().map_err(|e| fail("flush to disk", e))?;
    drop(staged);
    if backup && current.is_some() {
        let mut backup_path = path.as_os_str().to_owned();
        backup_path.push(".bak");
        std::fs::copy(&target, PathBuf::from(backup_path)).map_err(|e| fail("keep a backup", e))?;
    }
    std::fs::rename(&staging, &target).map_err(|e| fail("replace the file", e))?;
    if let Ok(dir) = std::fs::File::open(&folder) {
        // Make the rename itself durable.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A device, pipe or socket: something a rename would replace rather than write to.
fn is_special_file(metadata: &std::fs::Metadata) -> bool {
    !metadata.is_file() && !metadata.is_dir()
}

/// Write straight into a device or pipe (`--output /dev/stdout`); there is no old content to
/// keep and no half-written file to hide.
fn write_in_place(
    path: &Path,
    target: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), ToolError> {
    let cannot_write =
        |e: std::io::Error| ToolError::new(format!("{}: cannot write: {e}", path.display()));
    let mut special = std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .map_err(cannot_write)?;
    fill(&mut special)
        .and_then(|()| special.flush())
        .map_err(cannot_write)
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

    #[cfg(unix)]
    #[test]
    fn a_linked_file_is_replaced_and_the_link_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let real = dir.path().join("data/apisix.yaml");
        let link = dir.path().join("apisix.yaml");
        std::fs::write(&real, "old\n#END\n").unwrap();
        std::os::unix::fs::symlink("data/apisix.yaml", &link).unwrap();
        write_atomically(&link, "new\n#END\n", true).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n#END\n");
        let backup = dir.path().join("apisix.yaml.bak");
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "old\n#END\n");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("data"))
            .unwrap()
            .collect();
        assert_eq!(
            left.len(),
            1,
            "no temporary file is left beside the real file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_old_files_permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "old\n#END\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, "new\n#END\n", false).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n#END\n");
    }

    /// A named pipe stands for `/dev/stdout` and other special files: a rename would
    /// replace it with a regular file, so the content is written into it instead.
    #[cfg(unix)]
    #[test]
    fn a_pipe_is_written_in_place() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("out.yaml");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.unwrap().success());
        // Opened for reading and writing, a pipe never blocks the open (Linux, macOS).
        let mut reader = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&pipe)
            .unwrap();
        write_atomically(&pipe, "new\n#END\n", true).unwrap();
        let kind = std::fs::symlink_metadata(&pipe).unwrap().file_type();
        assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
        let mut read = [0; 9];
        reader.read_exact(&mut read).unwrap();
        assert_eq!(&read, b"new\n#END\n");
        assert!(!dir.path().join("out.yaml.bak").exists());
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
