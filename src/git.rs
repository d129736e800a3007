//! The little gwlint asks of git: which files changed since a revision.

use crate::error::ToolError;
use std::path::PathBuf;
use std::process::Command;

/// Run git in the current directory and return its standard output.
fn git(args: &[&str]) -> Result<String, ToolError> {
    let output = Command::new("git").args(args).output().map_err(|e| {
        ToolError::new(format!("cannot run git: {e}"))
            .with_help("install git, or drop --changed-since")
    })?;
    if !output.status.success() {
        return Err(ToolError::new(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Files changed since `revision` (committed, staged, unstaged and untracked), as
/// absolute paths; deleted files are left out.
///
/// # Errors
/// A [`ToolError`] when git is missing, this is not a repository, or the revision
/// is unknown.
pub fn changed_files(revision: &str) -> Result<Vec<PathBuf>, ToolError> {
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let changed = git(&["diff", "--name-only", "--diff-filter=d", revision, "--"])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard"])?;
    let prefix = git(&["rev-parse", "--show-prefix"])?;
    let cwd_in_repo = prefix.trim();
    let mut files: Vec<PathBuf> = changed
        .lines()
        .map(|l| top.join(l))
        .chain(untracked.lines().map(|l| top.join(cwd_in_repo).join(l)))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Run git in `dir`.
fn git_in(dir: &std::path::Path, args: &[&str]) -> Result<String, ToolError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| ToolError::new(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        return Err(ToolError::new(format!(
            "git {} failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The configuration files of `folder` as they were at `revision`, as
/// `(path in the working tree, text)`, sorted; hidden files and folders are skipped
/// like the walk skips them.
///
/// # Errors
/// A [`ToolError`] when the folder is not in a git repository, the revision is
/// unknown, or the folder did not exist at that revision.
pub fn files_at(
    revision: &str,
    folder: &std::path::Path,
) -> Result<Vec<(PathBuf, String)>, ToolError> {
    let prefix = git_in(folder, &["rev-parse", "--show-prefix"])?;
    let prefix = prefix.trim();
    let commit = git_in(
        folder,
        &["rev-parse", "--verify", &format!("{revision}^{{commit}}")],
    )?;
    let listing = git_in(
        folder,
        &[
            "ls-tree",
            "-r",
            "--name-only",
            "--full-tree",
            commit.trim(),
            "--",
            prefix,
        ],
    )?;
    let mut files = Vec::new();
    for path in listing.lines() {
        let Some(relative) = path.strip_prefix(prefix) else {
            continue;
        };
        let hidden = relative.split('/').any(|part| part.starts_with('.'));
        if hidden || !crate::discover::is_config_file(std::path::Path::new(relative)) {
            continue;
        }
        let text = git_in(folder, &["show", &format!("{}:{path}", commit.trim())])?;
        files.push((folder.join(relative), text));
    }
    if files.is_empty() {
        return Err(ToolError::new(format!(
            "{} holds no configuration files at {revision}",
            folder.display()
        )));
    }
    Ok(files)
}

/// The commit a revision names, and whether the folder has uncommitted changes; `None`
/// outside a git repository.
#[must_use]
pub fn commit_of(folder: &std::path::Path, revision: &str) -> Option<(String, bool)> {
    let commit = git_in(
        folder,
        &["rev-parse", "--verify", &format!("{revision}^{{commit}}")],
    )
    .ok()?;
    let status = git_in(folder, &["status", "--porcelain", "--", "."]).ok()?;
    Some((commit.trim().to_owned(), !status.trim().is_empty()))
}
