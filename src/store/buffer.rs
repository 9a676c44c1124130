//! The two kinds of backing storage a rule table runs on: fixed-capacity
//! `heapless::Vec`s (no allocator needed) and growable `alloc` vectors.

/// A vector that may refuse to grow (sealed: implemented for `heapless::Vec`
/// and, with `alloc`, `Vec`).
pub(crate) trait Buffer<T> {
    fn items(&self) -> &[T];
    fn items_mut(&mut self) -> &mut [T];
    fn try_push(&mut self, item: T) -> Result<(), T>;
    /// Resizes to `len` items, new ones being `fill`; `false` if it cannot.
    fn try_resize(&mut self, len: usize, fill: T) -> bool
    where
        T: Clone;
    fn truncate_to(&mut self, len: usize);
}

/// Bytes for a text arena.
pub(crate) trait ByteBuffer: Buffer<u8> {
    fn try_extend(&mut self, bytes: &[u8]) -> bool;
    /// Whether the buffer grows on demand (then compaction is only worth it
    /// when much of it is garbage).
    const GROWS: bool;
    /// A new, empty buffer with room for `capacity` bytes, when this kind
    /// can allocate one (compaction then copies instead of sliding).
    fn fresh(capacity: usize) -> Option<Self>
    where
        Self: Sized;
}

impl<T, const N: usize> Buffer<T> for heapless::Vec<T, N> {
    fn items(&self) -> &[T] {
        self.as_slice()
    }
    fn items_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
    fn try_push(&mut self, item: T) -> Result<(), T> {
        self.push(item)
    }
    fn try_resize(&mut self, len: usize, fill: T) -> bool
    where
        T: Clone,
    {
        self.resize(len, fill).is_ok()
    }
    fn truncate_to(&mut self, len: usize) {
        self.truncate(len);
    }
}

impl<const N: usize> ByteBuffer for heapless::Vec<u8, N> {
    fn try_extend(&mut self, bytes: &[u8]) -> bool {
        self.extend_from_slice(bytes).is_ok()
    }
    const GROWS: bool = false;
    fn fresh(_: usize) -> Option<Self> {
        None
    }
}

#[cfg(feature = "alloc")]
impl<T> Buffer<T> for alloc::vec::Vec<T> {
    fn items(&self) -> &[T] {
        self.as_slice()
    }
    fn items_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
    fn try_push(&mut self, item: T) -> Result<(), T> {
        self.push(item);
        Ok(())
    }
    fn try_resize(&mut self, len: usize, fill: T) -> bool
    where
        T: Clone,
    {
        self.resize(len, fill);
        true
    }
    fn truncate_to(&mut self, len: usize) {
        self.truncate(len);
    }
}

#[cfg(feature = "alloc")]
impl ByteBuffer for alloc::vec::Vec<u8> {
    fn try_extend(&mut self, bytes: &[u8]) -> bool {
        self.extend_from_slice(bytes);
        true
    }
    const GROWS: bool = true;
    fn fresh(capacity: usize) -> Option<Self> {
        Some(alloc::vec::Vec::with_capacity(capacity))
    }
}
