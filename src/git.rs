//! The little gwlint asks of git: which files changed since a revision, a folder's
//! files at a revision, and the commit a revision names.
//!
//! Every listing is read NUL-separated (`-z`), as bytes, so a path git would quote
//! (`core.quotePath`: non-ASCII, control characters) is read exactly; a path that
//! cannot be mapped to a file name is an error, never skipped. A revision never
//! reaches git where it could be read as an option: one that starts with `-` is
//! refused, and each is resolved to a commit id with `rev-parse --verify
//! --end-of-options` before any other use.

use crate::error::ToolError;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Run git (in `dir`, or the current directory) and return its standard output.
fn run(dir: Option<&Path>, args: &[&OsStr]) -> Result<Vec<u8>, ToolError> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.arg("-C").arg(dir);
    }
    // A folder named `*` is that folder, not a glob.
    command.arg("--literal-pathspecs");
    let output = command.args(args).output().map_err(|e| {
        ToolError::new(format!("cannot run git: {e}"))
            .with_help("install git, or drop --changed-since / --rev")
    })?;
    if !output.status.success() {
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let place = dir.map_or_else(String::new, |d| format!(" in {}", d.display()));
        return Err(ToolError::new(format!(
            "git {} failed{place}: {}",
            shown.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}

/// [`run`] with string arguments.
fn git(dir: Option<&Path>, args: &[&str]) -> Result<Vec<u8>, ToolError> {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    run(dir, &args)
}

/// One line of output (a commit id, a folder), without its line end.
fn line(output: &[u8]) -> Result<PathBuf, ToolError> {
    let trimmed = output.strip_suffix(b"\n").unwrap_or(output);
    path_of(trimmed)
}

/// A path from git's bytes (every byte string is a path on Unix; elsewhere a path
/// that is not UTF-8 cannot be mapped and is an error).
#[cfg_attr(unix, allow(clippy::unnecessary_wraps))]
fn path_of(bytes: &[u8]) -> Result<PathBuf, ToolError> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes).map(PathBuf::from).map_err(|_| {
            ToolError::new(format!(
                "git named a path that is not UTF-8 ({}): cannot map it to a file",
                String::from_utf8_lossy(bytes)
            ))
        })
    }
}

/// The entries of a NUL-separated listing.
fn entries(output: &[u8]) -> impl Iterator<Item = &[u8]> {
    output.split(|b| *b == 0).filter(|entry| !entry.is_empty())
}

/// The commit `revision` names, refusing anything git could read as an option.
///
/// # Errors
/// A revision that starts with `-`, or one git does not know.
pub fn resolve_commit(dir: Option<&Path>, revision: &str) -> Result<String, ToolError> {
    if revision.starts_with('-') || revision.is_empty() {
        return Err(ToolError::new(format!(
            "`{revision}` is not a revision (it would be read as an option)"
        ))
        .with_help("name a branch, tag or commit, e.g. --changed-since origin/main"));
    }
    let spec = format!("{revision}^{{commit}}");
    let commit = git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map_err(|_| ToolError::new(format!("git does not know the revision `{revision}`")))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_owned();
    if commit.is_empty() || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ToolError::new(format!(
            "git does not know the revision `{revision}`"
        )));
    }
    Ok(commit)
}

/// Files changed since `revision` (committed, staged, unstaged and untracked), as
/// absolute paths; deleted files are left out.
///
/// # Errors
/// A [`ToolError`] when git is missing, this is not a repository, or the revision
/// is unknown or looks like an option.
pub fn changed_files(revision: &str) -> Result<Vec<PathBuf>, ToolError> {
    let commit = resolve_commit(None, revision)?;
    let top = line(&git(None, &["rev-parse", "--show-toplevel"])?)?;
    let changed = git(
        None,
        &[
            "diff",
            "--name-only",
            "-z",
            "--diff-filter=d",
            &commit,
            "--",
        ],
    )?;
    // Untracked files are listed relative to the current directory; the
    // repository-relative prefix makes them absolute like the others.
    let prefix = line(&git(None, &["rev-parse", "--show-prefix"])?)?;
    let untracked = git(None, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    let mut files = Vec::new();
    for entry in entries(&changed) {
        files.push(top.join(path_of(entry)?));
    }
    for entry in entries(&untracked) {
        files.push(top.join(&prefix).join(path_of(entry)?));
    }
    files.retain(|p| p.is_file());
    files.sort();
    files.dedup();
    Ok(files)
}

/// The configuration files of `folder` as they were at `revision`, as
/// `(path in the working tree, text)`, sorted; hidden files and folders are skipped
/// like the walk skips them.
///
/// # Errors
/// A [`ToolError`] when the folder is not in a git repository, the revision is
/// unknown, the folder did not exist at that revision, or a file is not UTF-8.
pub fn files_at(revision: &str, folder: &Path) -> Result<Vec<(PathBuf, String)>, ToolError> {
    let prefix = git(Some(folder), &["rev-parse", "--show-prefix"])?;
    let prefix = prefix.strip_suffix(b"\n").unwrap_or(&prefix).to_vec();
    let commit = resolve_commit(Some(folder), revision)?;
    let words = [
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "--full-tree",
        commit.as_str(),
        "--",
    ];
    let mut args: Vec<&OsStr> = words.iter().map(OsStr::new).collect();
    let prefix_path = path_of(&prefix)?;
    if !prefix.is_empty() {
        args.push(prefix_path.as_os_str());
    }
    let listing = run(Some(folder), &args)?;
    let mut files = Vec::new();
    for entry in entries(&listing) {
        let Some(relative) = entry.strip_prefix(prefix.as_slice()) else {
            continue;
        };
        let relative = path_of(relative)?;
        let hidden = relative
            .iter()
            .any(|part| part.as_encoded_bytes().starts_with(b"."));
        if hidden || !crate::discover::is_config_file(&relative) {
            continue;
        }
        let mut object = commit.as_bytes().to_vec();
        object.push(b':');
        object.extend_from_slice(entry);
        let bytes = run(
            Some(folder),
            &[
                OsStr::new("cat-file"),
                OsStr::new("blob"),
                &*path_of(&object)?.into_os_string(),
            ],
        )?;
        let text = String::from_utf8(bytes).map_err(|_| {
            ToolError::new(format!(
                "{} is not UTF-8 text at {revision}",
                crate::source::display_path(&folder.join(&relative))
            ))
        })?;
        files.push((folder.join(relative), text));
    }
    if files.is_empty() {
        return Err(ToolError::new(format!(
            "{} holds no configuration files at {revision}",
            folder.display()
        )));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// The commit a revision names, and whether the folder has uncommitted changes; `None`
/// outside a git repository.
#[must_use]
pub fn commit_of(folder: &Path, revision: &str) -> Option<(String, bool)> {
    let commit = resolve_commit(Some(folder), revision).ok()?;
    let status = git(Some(folder), &["status", "--porcelain", "-z", "--", "."]).ok()?;
    Some((commit, !status.is_empty()))
}
