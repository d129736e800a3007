//! Writing a long list of items rendered on every core, in order.
//!
//! A report of a hundred thousand findings spends most of its time turning each
//! finding into bytes. [`write_in_order`] hands the items to the rayon workers in
//! chunks (of [`CHUNK`] findings), each rendered into a buffer of its own, while the
//! calling thread writes the buffers of the previous window of chunks, in order. At
//! most two windows (the bytes of [`IN_FLIGHT`] findings) are held at once, whatever
//! the number of items, and the buffers are reused from window to window.

use std::io::{self, Write};

/// How many findings one rayon task renders.
pub const CHUNK: usize = 128;

/// How many chunks are rendered while the previous ones are written.
const WINDOW: usize = 4;

/// The most findings held rendered at once: one window being written, one being
/// rendered.
pub const IN_FLIGHT: usize = 2 * WINDOW * CHUNK;

/// Write `items` to `out`, in order: `render(index, chunk, buffer)` appends the bytes
/// of `chunk` (whose first item is `items[index]`) to `buffer`. The output is exactly
/// what rendering every item on one thread, one after the other, would write. Each
/// item is one finding.
///
/// # Errors
/// The first error of the writer; nothing is written after it.
pub fn write_in_order<T, F>(items: &[T], out: &mut dyn Write, render: F) -> io::Result<()>
where
    T: Sync,
    F: Fn(usize, &[T], &mut Vec<u8>) + Sync,
{
    write_in_chunks(items, CHUNK, out, render)
}

/// [`write_in_order`] with `per_chunk` items in a chunk (items that hold several
/// findings each go fewer to a chunk).
///
/// # Errors
/// The first error of the writer; nothing is written after it.
pub fn write_in_chunks<T, F>(
    items: &[T],
    per_chunk: usize,
    out: &mut dyn Write,
    render: F,
) -> io::Result<()>
where
    T: Sync,
    F: Fn(usize, &[T], &mut Vec<u8>) + Sync,
{
    let per_chunk = per_chunk.max(1);
    if items.len() <= per_chunk {
        // Not worth the workers' time: render here.
        let mut buffer = Vec::new();
        render(0, items, &mut buffer);
        return out.write_all(&buffer);
    }
    let render = &render;
    // The rendered window, waiting to be written, and the buffers of the window being
    // rendered (the ones written last time, emptied).
    let mut ready: Vec<Vec<u8>> = Vec::new();
    let mut next: Vec<Vec<u8>> = Vec::new();
    for (window_index, window) in items.chunks(WINDOW * per_chunk).enumerate() {
        let start = window_index * WINDOW * per_chunk;
        next.resize_with(window.len().div_ceil(per_chunk), Vec::new);
        let written = rayon::in_place_scope(|scope| {
            for (chunk_index, (chunk, buffer)) in
                window.chunks(per_chunk).zip(next.iter_mut()).enumerate()
            {
                scope.spawn(move |_| render(start + chunk_index * per_chunk, chunk, buffer));
            }
            // Meanwhile, on this thread (whose writer may not be sent to another):
            // the previous window.
            write_all(out, &ready)
        });
        written?;
        for buffer in &mut ready {
            buffer.clear();
        }
        std::mem::swap(&mut ready, &mut next);
    }
    write_all(out, &ready)
}

fn write_all(out: &mut dyn Write, buffers: &[Vec<u8>]) -> io::Result<()> {
    buffers.iter().try_for_each(|buffer| out.write_all(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each item as `<index>:<item>;`, checking that the index given is the item's.
    fn render(index: usize, chunk: &[u32], out: &mut Vec<u8>) {
        for (offset, item) in chunk.iter().enumerate() {
            assert_eq!(index + offset, *item as usize);
            write!(out, "{}:{item};", index + offset).unwrap();
        }
    }

    fn sequential(items: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            render(index, std::slice::from_ref(item), &mut out);
        }
        out
    }

    #[test]
    fn writes_what_one_thread_would_write_in_the_same_order() {
        let many = 3 * IN_FLIGHT + CHUNK / 2 + 1;
        for count in [0, 1, 2, CHUNK - 1, CHUNK, CHUNK + 1, WINDOW * CHUNK, many] {
            let items: Vec<u32> = (0..u32::try_from(count).unwrap()).collect();
            let mut out = Vec::new();
            write_in_order(&items, &mut out, render).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(sequential(&items)).unwrap(),
                "{count} items"
            );
            for per_chunk in [0, 1, 3] {
                let mut out = Vec::new();
                write_in_chunks(&items, per_chunk, &mut out, render).unwrap();
                assert_eq!(
                    out,
                    sequential(&items),
                    "{count} items, {per_chunk} a chunk"
                );
            }
        }
    }

    #[test]
    fn stops_at_the_first_error_of_the_writer() {
        /// Accepts `room` bytes, then fails.
        struct Full {
            room: usize,
            taken: Vec<u8>,
        }
        impl Write for Full {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                if self.taken.len() + bytes.len() > self.room {
                    return Err(io::Error::other("full"));
                }
                self.taken.extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let items: Vec<u32> = (0..u32::try_from(3 * IN_FLIGHT).unwrap()).collect();
        let whole = sequential(&items);
        let mut out = Full {
            room: whole.len() / 2,
            taken: Vec::new(),
        };
        let error = write_in_order(&items, &mut out, render).unwrap_err();
        assert_eq!(error.to_string(), "full");
        // What was written is a start of the report, in order.
        assert!(whole.starts_with(&out.taken));
        assert!(out.taken.len() <= whole.len() / 2);
    }
}
