//! The little gwlint asks of git: which files changed since a revision.

use crate::error::ToolError;
use std::path::PathBuf;
use std::process::Command;

/// Run git in the current directory and return its standard output.
fn git(args: &[&str]) -> Result<String, ToolError> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| ToolError::new(format!("cannot run git: {e}")).with_help("install git, or drop --changed-since"))?;
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
