//! The backing storage a rule table runs on: fixed-capacity
//! `heapless::Vec`s (no allocator needed) or growable `alloc` vectors.

use core::ops::DerefMut;

/// A vector that may refuse to grow.
pub(crate) trait Buffer<T: Copy>: Default + DerefMut<Target = [T]> {
    /// Whether it grows on demand (then compaction copies into a new
    /// buffer, and is only worth it when much of it is garbage).
    const GROWS: bool;
    /// Appends `items`, or answers `false` and leaves the buffer as it was.
    fn try_extend(&mut self, items: &[T]) -> bool;
    /// Resizes to `len` items, new ones being `fill`; `false` if it cannot.
    fn try_resize(&mut self, len: usize, fill: T) -> bool;
}

impl<T: Copy, const N: usize> Buffer<T> for heapless::Vec<T, N> {
    const GROWS: bool = false;
    fn try_extend(&mut self, items: &[T]) -> bool {
        self.extend_from_slice(items).is_ok()
    }
    fn try_resize(&mut self, len: usize, fill: T) -> bool {
        self.resize(len, fill).is_ok()
    }
}

#[cfg(feature = "alloc")]
impl<T: Copy> Buffer<T> for alloc::vec::Vec<T> {
    const GROWS: bool = true;
    fn try_extend(&mut self, items: &[T]) -> bool {
        self.extend_from_slice(items);
        true
    }
    fn try_resize(&mut self, len: usize, fill: T) -> bool {
        self.resize(len, fill);
        true
    }
}
