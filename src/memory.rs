//! Keeping what stays small: buffers that live until the report hold exactly their
//! contents.
//!
//! `Vec::shrink_to_fit` asks the allocator to shrink in place, and mimalloc keeps a
//! block that is at least half used: a buffer grown by doubling to 16 KiB and
//! shrunk to 9 KiB still holds 16 KiB. A check keeps several such buffers per file
//! (span trees, compact bodies, line tables) until its report; at 100k routes in
//! 5,000 files their slack was about 40 MiB of the peak (BENCHMARKS.md). [`fit`]
//! moves a buffer with room to spare into one of its exact size instead.

/// What the binary does once every file is read: from then on, memory freed is
/// handed back to the system (see `keep_freed_memory` in `src/main.rs`).
static FILES_READ: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Set what [`files_read`] does (the binary, once, at start).
pub fn on_files_read(hook: fn()) {
    let _ = FILES_READ.set(hook);
}

/// Every file of a batch has been read and taken apart: what is freed from now on
/// (the policy stage's results, the buffers of the report) is not reused the way the
/// files' values were, so it need not be kept.
pub fn files_read() {
    if let Some(hook) = FILES_READ.get() {
        hook();
    }
}

/// Make `buffer`'s capacity its length, moving it when it has room to spare.
pub fn fit<T>(buffer: &mut Vec<T>) {
    if buffer.capacity() > buffer.len() {
        let mut exact = Vec::with_capacity(buffer.len());
        exact.append(buffer);
        *buffer = exact;
    }
}

/// [`fit`] for a string.
pub fn fit_string(text: &mut String) {
    if text.capacity() > text.len() {
        *text = text.as_str().to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_keeps_its_contents_and_loses_its_room() {
        let mut numbers: Vec<u32> = Vec::with_capacity(1000);
        numbers.extend(0..700);
        fit(&mut numbers);
        assert_eq!(numbers.capacity(), 700);
        assert_eq!(numbers, (0..700).collect::<Vec<_>>());

        let mut empty: Vec<String> = Vec::with_capacity(8);
        fit(&mut empty);
        assert_eq!(empty.capacity(), 0);

        let mut text = String::with_capacity(100);
        text.push_str("exactly this");
        fit_string(&mut text);
        assert_eq!((text.as_str(), text.capacity()), ("exactly this", 12));
    }

    #[test]
    fn owned_values_move_without_copies_of_their_own() {
        let mut names = Vec::with_capacity(4);
        names.push(String::from("route"));
        let before = names[0].as_ptr();
        fit(&mut names);
        assert_eq!(names[0].as_ptr(), before);
    }
}
