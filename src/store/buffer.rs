//! The backing storage a rule table runs on: fixed-capacity
//! `heapless::Vec`s and `heapless::String`s (no allocator needed) or
//! growable `alloc` ones.

use core::ops::{Deref, DerefMut, Range};

/// A vector that may refuse to grow.
pub(crate) trait Buffer<T: Copy>: Default + DerefMut<Target = [T]> {
    /// Appends `items`, or answers `false` and leaves the buffer as it was.
    fn try_extend(&mut self, items: &[T]) -> bool;
    /// Resizes to `len` items, new ones being `fill`; `false` if it cannot.
    fn try_resize(&mut self, len: usize, fill: T) -> bool;
}

impl<T: Copy, const N: usize> Buffer<T> for heapless::Vec<T, N> {
    fn try_extend(&mut self, items: &[T]) -> bool {
        self.extend_from_slice(items).is_ok()
    }
    fn try_resize(&mut self, len: usize, fill: T) -> bool {
        self.resize(len, fill).is_ok()
    }
}

#[cfg(feature = "alloc")]
impl<T: Copy> Buffer<T> for alloc::vec::Vec<T> {
    fn try_extend(&mut self, items: &[T]) -> bool {
        self.extend_from_slice(items);
        true
    }
    fn try_resize(&mut self, len: usize, fill: T) -> bool {
        self.resize(len, fill);
        true
    }
}

/// A text arena that may refuse to grow. It holds whole `str`s, so a
/// stored text is read back by slicing, without validating it again.
pub(crate) trait TextBuffer: Default + Deref<Target = str> {
    /// Whether it grows on demand (then compaction copies into a new
    /// buffer, and is only worth it when much of it is garbage).
    const GROWS: bool;
    /// Appends `text`, or answers `false` and leaves the buffer as it was.
    fn try_push(&mut self, text: &str) -> bool;
    /// `String::truncate`, for a `len` already checked.
    fn truncate_checked(&mut self, len: usize);
    /// `String::drain`, for a range already checked.
    fn drain_checked(&mut self, range: Range<usize>);

    /// Keeps the first `len` bytes; nothing when `len` is not a character
    /// boundary (the table only cuts where a text of its own starts).
    fn cut(&mut self, len: usize) {
        if len <= self.len() && self.is_char_boundary(len) {
            self.truncate_checked(len);
        }
    }

    /// Removes `range`, moving what follows to its start; nothing when
    /// its ends are not character boundaries (where `drain` would panic).
    fn remove(&mut self, range: Range<usize>) {
        if range.start <= range.end
            && self.is_char_boundary(range.start)
            && self.is_char_boundary(range.end)
        {
            self.drain_checked(range);
        }
    }
}

impl<const N: usize> TextBuffer for heapless::String<N> {
    const GROWS: bool = false;
    fn try_push(&mut self, text: &str) -> bool {
        self.push_str(text).is_ok()
    }
    fn truncate_checked(&mut self, len: usize) {
        self.truncate(len);
    }
    fn drain_checked(&mut self, range: Range<usize>) {
        self.drain(range);
    }
}

#[cfg(feature = "alloc")]
impl TextBuffer for alloc::string::String {
    const GROWS: bool = true;
    fn try_push(&mut self, text: &str) -> bool {
        self.push_str(text);
        true
    }
    fn truncate_checked(&mut self, len: usize) {
        self.truncate(len);
    }
    fn drain_checked(&mut self, range: Range<usize>) {
        self.drain(range);
    }
}
