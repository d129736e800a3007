//! The `standalone` engine: write the rendered `apisix.yaml` safely.
//!
//! APISIX reloads `apisix.yaml` when it changes and refuses a file without `#END`,
//! but a half-written file must never be seen at all: the new file is written to a
//! temporary file in the same folder, flushed to disk, and renamed over the old one
//! in one step. A symbolic link is followed, so the file it points to is replaced and
//! the link stays (Kubernetes mounts a `ConfigMap`'s files as links); the new file
//! keeps the old one's permissions, owner and group (APISIX's worker user must still
//! read it). A target that is not a regular file (`/dev/stdout`, a pipe) cannot be
//! renamed over and is written in place.
//!
//! The folder may be shared with other users, and other applies may run at once:
//! - every write happens under an exclusive lock (`.<name>.gwlint.lock` beside the
//!   file, opened without following a link), held from before the current file is
//!   read until the new one is in place, so applies to one file run one at a time;
//! - temporary files are created with `O_EXCL` and a random name, never through a link;
//! - `<name>.bak` is written like the file itself (a temporary file renamed over it),
//!   so a link planted at `.bak` is replaced, never followed, and a `kill -9` never
//!   leaves a truncated backup;
//! - temporary files left by a killed run are removed by the next one (under the lock
//!   no other run can be writing them).

use crate::error::ToolError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `content` to `path` atomically, keeping the old file as `<path>.bak` when
/// `backup` is set.
///
/// # Errors
/// A [`ToolError`] when the file cannot be written; the old file is then untouched.
pub fn write_atomically(path: &Path, content: &str, backup: bool) -> Result<(), ToolError> {
    let lock = TargetLock::take(path)?;
    lock.replace_with(backup, |file| file.write_all(content.as_bytes()))
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
    TargetLock::take(path)?.replace_with(backup, fill)
}

/// An exclusive lock on a target file, held until dropped.
pub struct TargetLock {
    /// The path as given.
    path: PathBuf,
    /// The file a link points to, or the path itself.
    target: PathBuf,
    /// The folder of `target`.
    folder: PathBuf,
    /// `target`'s file name.
    name: String,
    /// The lock file, locked (none for a device or pipe).
    _file: Option<std::fs::File>,
}

impl TargetLock {
    /// Lock `path` (waiting for another gwlint that holds it) and remove the
    /// temporary files of killed runs.
    ///
    /// # Errors
    /// A [`ToolError`] when the lock file cannot be opened or locked.
    pub fn take(path: &Path) -> Result<Self, ToolError> {
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().map_or_else(
            || "apisix.yaml".into(),
            |n| n.to_string_lossy().into_owned(),
        );
        let special = std::fs::metadata(&target).is_ok_and(|m| is_special_file(&m));
        let file = if special {
            None
        } else {
            let lock_path = folder.join(format!(".{name}.gwlint.lock"));
            let file = open_no_follow(&lock_path).map_err(|e| {
                ToolError::new(format!(
                    "{}: cannot open the lock file: {e}",
                    lock_path.display()
                ))
            })?;
            file.lock().map_err(|e| {
                ToolError::new(format!("{}: cannot lock: {e}", lock_path.display()))
            })?;
            Some(file)
        };
        let lock = TargetLock {
            path: path.to_path_buf(),
            target,
            folder,
            name,
            _file: file,
        };
        if !special {
            lock.remove_stale_temporaries();
        }
        Ok(lock)
    }

    /// The prefix of this target's temporary files.
    fn temporary_prefix(&self) -> String {
        format!(".{}.gwlint-", self.name)
    }

    /// Under the lock no other run writes temporary files: any there are a killed
    /// run's.
    fn remove_stale_temporaries(&self) {
        let prefix = self.temporary_prefix();
        let Ok(entries) = std::fs::read_dir(&self.folder) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// A new temporary file beside the target: `O_EXCL`, a random name, mode 0600.
    fn temporary(&self) -> std::io::Result<tempfile::NamedTempFile> {
        tempfile::Builder::new()
            .prefix(&self.temporary_prefix())
            .suffix(".tmp")
            .tempfile_in(&self.folder)
    }

    /// Replace the target with what `fill` writes, keeping the old file as
    /// `<path>.bak` when `backup` is set.
    ///
    /// # Errors
    /// A [`ToolError`] when any step fails; the target and its backup are then as
    /// they were, and the temporary file is removed.
    pub fn replace_with(
        &self,
        backup: bool,
        fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<(), ToolError> {
        let path = &self.path;
        let current = std::fs::metadata(&self.target).ok();
        if current.as_ref().is_some_and(is_special_file) {
            return write_in_place(path, &self.target, fill);
        }
        let fail = |what: &str, e: std::io::Error| {
            ToolError::new(format!("{}: cannot {what}: {e}", path.display()))
        };
        let mut staged = self
            .temporary()
            .map_err(|e| fail("create a temporary file", e))?;
        if let Some(current) = &current {
            // Before any content is written, so a file kept private never is readable by others.
            keep_access(staged.as_file(), current)
                .map_err(|e| fail("keep the file's permissions", e))?;
        }
        fill(staged.as_file_mut()).map_err(|e| fail("write", e))?;
        staged
            .as_file()
            .sync_all()
            .map_err(|e| fail("flush to disk", e))?;
        if backup {
            if let Some(current) = &current {
                self.back_up(current)
                    .map_err(|e| fail("keep a backup", e))?;
            }
        }
        staged
            .persist(&self.target)
            .map_err(|e| fail("replace the file", e.error))?;
        if let Ok(dir) = std::fs::File::open(&self.folder) {
            // Make the rename itself durable.
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Copy the current file to `<path>.bak` through a temporary file renamed over it.
    fn back_up(&self, current: &std::fs::Metadata) -> std::io::Result<()> {
        let mut backup_path = self.path.as_os_str().to_owned();
        backup_path.push(".bak");
        let backup_path = PathBuf::from(backup_path);
        let backup_folder = match backup_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut copy = tempfile::Builder::new()
            .prefix(&self.temporary_prefix())
            .suffix(".tmp")
            .tempfile_in(&backup_folder)?;
        keep_access(copy.as_file(), current)?;
        let mut old = std::fs::File::open(&self.target)?;
        std::io::copy(&mut old, copy.as_file_mut())?;
        copy.as_file().sync_all()?;
        copy.persist(&backup_path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Open (creating) a file for writing without following a symbolic link at its path.
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    options.open(path)
}

/// Give a new file the permissions, owner and group of `like`. Changing the owner
/// needs privileges: without them the group is kept when the user is in it, and the
/// mode in any case.
fn keep_access(file: &std::fs::File, like: &std::fs::Metadata) -> std::io::Result<()> {
    file.set_permissions(like.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mine = file.metadata()?;
        if (mine.uid(), mine.gid()) != (like.uid(), like.gid()) {
            let owner = std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid()));
            if owner.is_err() {
                let _ = std::os::unix::fs::fchown(file, None, Some(like.gid()));
            }
            // A chown may clear set-id bits: the mode again.
            file.set_permissions(like.permissions())?;
        }
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

/// A unified diff from the current file (empty when missing) to `content`, with
/// secrets masked on both sides: each literal secret value (what the human report
/// masks) becomes `***N`, the same N for the same value, so a changed secret shows as
/// a changed line without its value; and each value of `variables` (`(NAME, value)`,
/// values shorter than 3 characters left alone) becomes `${NAME}`.
#[must_use]
pub fn unified_diff(path: &Path, content: &str, variables: &[(String, String)]) -> String {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    let mut tags = Vec::new();
    let mut variables: Vec<&(String, String)> = variables
        .iter()
        .filter(|(_, v)| v.chars().count() >= 3)
        .collect();
    // Longest first, so a value inside another is not replaced in it first.
    variables.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let old = masked(path, &current, &variables, &mut tags);
    let new = masked(path, content, &variables, &mut tags);
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(old.as_str(), new.as_str())
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{shown} (current)"),
            &format!("{shown} (rendered)"),
        )
        .to_string()
}

/// `text` with its literal secrets as `***N` and the variables' values as `${NAME}`.
fn masked(
    path: &Path,
    text: &str,
    variables: &[&(String, String)],
    tags: &mut Vec<String>,
) -> String {
    let loaded =
        crate::load::parse_text(path, text.to_owned(), &crate::load::LoadLimits::default());
    let spans = match &loaded.document {
        Some(document) => crate::secrets::secret_spans(document),
        None => crate::secrets::secret_spans_in_lines(&loaded.source),
    };
    let mut ranges: Vec<std::ops::Range<usize>> = spans
        .into_iter()
        .map(|s| loaded.source.byte_range(s))
        .collect();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for range in ranges {
        if range.start < at || range.end > text.len() {
            continue;
        }
        out.push_str(&text[at..range.start]);
        let secret = &text[range.clone()];
        let index = tags.iter().position(|t| t == secret).unwrap_or_else(|| {
            tags.push(secret.to_owned());
            tags.len() - 1
        });
        out.push_str(&format!("***{}", index + 1));
        at = range.end;
    }
    out.push_str(&text[at..]);
    for (name, value) in variables {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), &format!("${{{name}}}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in a folder, sorted.
    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_backup_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        let victim = dir.path().join("victim");
        std::fs::write(&path, "old\n#END\n").unwrap();
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("apisix.yaml.bak")).unwrap();
        write_atomically(&path, "new\n#END\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        let backup = dir.path().join("apisix.yaml.bak");
        assert!(!std::fs::symlink_metadata(&backup).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "old\n#END\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_lock_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        let victim = dir.path().join("victim");
        std::fs::write(&path, "old\n#END\n").unwrap();
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join(".apisix.yaml.gwlint.lock")).unwrap();
        let error = write_atomically(&path, "new\n#END\n", false).unwrap_err();
        assert!(
            error.message.contains("cannot open the lock file"),
            "{}",
            error.message
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n#END\n");
    }

    #[test]
    fn temporary_files_of_killed_runs_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "old\n#END\n").unwrap();
        std::fs::write(dir.path().join(".apisix.yaml.gwlint-4242.tmp"), "half").unwrap();
        std::fs::write(dir.path().join(".apisix.yaml.gwlint-Xa9.tmp"), "half").unwrap();
        write_atomically(&path, "new\n#END\n", false).unwrap();
        assert_eq!(
            names(dir.path()),
            [".apisix.yaml.gwlint.lock", "apisix.yaml"]
        );
    }

    #[test]
    fn concurrent_applies_run_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        let original = format!("{}#END\n", "original line\n".repeat(20_000));
        std::fs::write(&path, &original).unwrap();
        let contents: Vec<String> = (0..8)
            .map(|i| format!("{}#END\n", format!("run {i}\n").repeat(20_000)))
            .collect();
        std::thread::scope(|scope| {
            for content in &contents {
                let path = &path;
                scope.spawn(move || write_atomically(path, content, true).unwrap());
            }
        });
        let last = std::fs::read_to_string(&path).unwrap();
        let backup = std::fs::read_to_string(dir.path().join("apisix.yaml.bak")).unwrap();
        assert!(contents.contains(&last));
        // The backup is the file as it was before the last write: whole, never torn.
        assert!(backup == original || (contents.contains(&backup) && backup != last));
        assert_eq!(
            names(dir.path()),
            [".apisix.yaml.gwlint.lock", "apisix.yaml", "apisix.yaml.bak"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_old_files_owner_and_group_are_kept() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "old\n#END\n").unwrap();
        let me = std::fs::metadata(&path).unwrap();
        // As root (CI), another owner and group are kept; otherwise the file stays ours.
        let other = std::os::unix::fs::chown(&path, Some(4321), Some(8765)).is_ok();
        write_atomically(&path, "new\n#END\n", true).unwrap();
        let written = std::fs::metadata(&path).unwrap();
        let backup = std::fs::metadata(dir.path().join("apisix.yaml.bak")).unwrap();
        let expected = if other {
            (4321, 8765)
        } else {
            (me.uid(), me.gid())
        };
        assert_eq!((written.uid(), written.gid()), expected);
        assert_eq!((backup.uid(), backup.gid()), expected);
    }

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
        assert_eq!(
            names(dir.path()),
            [".apisix.yaml.gwlint.lock", "apisix.yaml"],
            "the temporary file must be removed"
        );
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
        assert_eq!(
            names(&dir.path().join("data")),
            [".apisix.yaml.gwlint.lock", "apisix.yaml"],
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
    fn diff_masks_secrets_and_variable_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(
            &path,
            "consumers:\n  - username: a\n    plugins:\n      key-auth:\n        key: old-secret-1\nroutes:\n  - uri: /x\n    desc: team-payments\n#END\n",
        )
        .unwrap();
        let rendered = "consumers:\n  - username: a\n    plugins:\n      key-auth:\n        key: new-secret-2\nroutes:\n  - uri: /x\n    desc: team-payments!\n#END\n";
        let diff = unified_diff(&path, rendered, &[("TEAM".into(), "team-payments".into())]);
        assert!(!diff.contains("secret-"), "{diff}");
        assert!(!diff.contains("team-payments"), "{diff}");
        assert!(
            diff.contains("-        key: ***1\n+        key: ***2\n"),
            "{diff}"
        );
        assert!(diff.contains("+    desc: ${TEAM}!\n"), "{diff}");
        // An unchanged secret is no difference.
        let same = unified_diff(&path, &std::fs::read_to_string(&path).unwrap(), &[]);
        assert!(same.is_empty(), "{same}");
    }

    #[test]
    fn diff_shows_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("apisix.yaml");
        std::fs::write(&path, "a\nb\n").unwrap();
        let diff = unified_diff(&path, "a\nc\n", &[]);
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
