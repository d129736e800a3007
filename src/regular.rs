//! Opening files for reading: regular files only.
//!
//! A named pipe (FIFO) given or found where gwlint expects a file would make it wait
//! for a writer forever, and a device such as `/dev/zero` never ends. Every file gwlint
//! reads (configuration files, `.gwlint.yaml`, `--data`, `--baseline`, policies, plugin
//! schemas) is opened here: the path's metadata (after symbolic links) must say
//! "regular file" before it is opened, and on Unix it is opened without blocking and
//! its type checked again on the open file, so a file swapped for a pipe in between is
//! refused too. The error names what the path is instead.

use std::fs::{File, FileType};
use std::io::{Error, ErrorKind, Read};
use std::path::Path;

/// Open `path` for reading when it is a regular file (following symbolic links).
///
/// # Errors
/// The error of reading the metadata or opening the file, or an
/// [`ErrorKind::InvalidInput`] error saying what the path is when it is not a
/// regular file.
pub fn open(path: &Path) -> std::io::Result<File> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(not_regular(metadata.file_type()));
    }
    let file = open_without_waiting(path)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(not_regular(opened.file_type()));
    }
    Ok(file)
}

/// Read a regular file as UTF-8 text.
///
/// # Errors
/// As [`open`], or the error of reading the file (including invalid UTF-8).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

/// The error for a path that is not a regular file.
#[must_use]
pub fn not_regular(file_type: FileType) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!(
            "not a regular file but {}; gwlint reads regular files only",
            kind_of(file_type)
        ),
    )
}

/// What a file type is, for messages: "a named pipe (FIFO)", "a folder", ...
#[must_use]
pub fn kind_of(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Open for reading without waiting: opening a FIFO for reading blocks until a writer
/// comes, unless `O_NONBLOCK` is given (which changes nothing for a regular file).
#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[test]
    fn fifos_devices_and_folders_are_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        mkfifo(&fifo);
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        for (path, what) in [
            (fifo.as_path(), "a named pipe (FIFO)"),
            (link.as_path(), "a named pipe (FIFO)"),
            (Path::new("/dev/zero"), "a character device"),
            (dir.path(), "a folder"),
        ] {
            let error = read_to_string(path).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{}", path.display());
            assert_eq!(
                error.to_string(),
                format!("not a regular file but {what}; gwlint reads regular files only")
            );
        }
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "a: 1\n").unwrap();
        assert_eq!(read_to_string(&file).unwrap(), "a: 1\n");
        assert_eq!(
            read_to_string(&dir.path().join("missing"))
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
    }
}
