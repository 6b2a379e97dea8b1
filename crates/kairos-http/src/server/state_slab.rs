//! Where busy connections keep their serving state: a slab of large chunks, apart from
//! the rest of the heap, that gives its memory back when a burst of requests is over.
//!
//! A connection task is small; what serves requests (the dispatcher, sized for a request,
//! its response and the service's future: about 2 KB) is boxed while the connection is
//! busy and dropped once it has been idle for `shrink_idle_after` (see `accept.rs`). In
//! the general heap those boxes would be freed between the long-lived small objects
//! allocated at the same time (tasks, socket registrations), leaving holes too small to
//! hand back to the operating system: after 10,000 connections open at once and go idle,
//! the process would keep the memory of 10,000 boxes. Here every box of a server comes
//! from chunks of at least [`CHUNK_BYTES`] that hold nothing else, filled lowest address
//! first, and a chunk whose slots are all free is released (one empty chunk is kept, so
//! that a single connection going busy and idle does not map and unmap a chunk each time;
//! its pages go back to the system all the same, `MADV_DONTNEED`, and the next box there
//! starts on fresh zeroed pages).
//! Chunks are anonymous memory mappings of their own (`mmap`), so releasing one returns
//! its memory to the system at once. (Not the global allocator: glibc maps a large block
//! on its own only until one such block is freed, after which it raises its threshold and
//! serves blocks of that size from the heap, where they would not go back.)
//!
//! One slab serves one layout (one server's state type); a box of any other layout, which
//! a server never asks for, or of an alignment above a page, goes to the global allocator
//! instead.

use std::alloc::{self, Layout};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// Smallest chunk, in bytes.
pub(crate) const CHUNK_BYTES: usize = 256 * 1024;
/// Chunks are page aligned: the largest slot alignment served.
const PAGE: usize = 4096;
/// Fewest slots in a chunk, however large the state.
const MIN_SLOTS: usize = 16;

/// See the module docs.
#[derive(Debug, Default)]
pub(crate) struct StateSlab {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The layout of one slot, fixed by the first allocation.
    slot: Option<Layout>,
    /// Sorted by address.
    chunks: Vec<Chunk>,
}

#[derive(Debug)]
struct Chunk {
    base: NonNull<u8>,
    /// Indexes of the free slots.
    free: Vec<u32>,
    slots: u32,
}

// SAFETY: a `Chunk` owns its memory (allocated and freed under the slab's lock); the
// pointer is never used to reach a value without that ownership.
unsafe impl Send for Chunk {}

impl StateSlab {
    pub(crate) fn new() -> StateSlab {
        StateSlab::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update under the lock leaves the bookkeeping whole before anything that
        // could panic (allocation failure aborts).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Memory for a value of `layout` (not zero-sized): a slot, or `None` if the slab
    /// serves another layout.
    fn allocate(&self, layout: Layout) -> Option<NonNull<u8>> {
        let mut inner = self.lock();
        let slot = *inner.slot.get_or_insert(layout.pad_to_align());
        if slot != layout.pad_to_align() || slot.align() > PAGE {
            return None;
        }
        let index = match inner.chunks.iter().position(|c| !c.free.is_empty()) {
            Some(index) => index,
            None => inner.add_chunk(slot),
        };
        let chunk = &mut inner.chunks[index];
        let i = chunk.free.pop().expect("a chunk with a free slot") as usize;
        // SAFETY: `i < chunk.slots`, and the chunk holds `slots` slots of `slot.size()`
        // bytes: the offset stays inside its allocation.
        Some(unsafe { chunk.base.add(i * slot.size()) })
    }

    /// Gives back a slot that [`allocate`](Self::allocate) handed out.
    fn deallocate(&self, ptr: NonNull<u8>) {
        let mut inner = self.lock();
        let slot = inner.slot.expect("a slab that allocated has a layout");
        // The chunk whose base is the last one at or below `ptr`.
        let index = inner
            .chunks
            .partition_point(|c| c.base <= ptr)
            .checked_sub(1)
            .expect("the pointer came from this slab");
        let chunk = &mut inner.chunks[index];
        let offset = ptr.as_ptr() as usize - chunk.base.as_ptr() as usize;
        debug_assert!(offset % slot.size() == 0 && offset / slot.size() < chunk.slots as usize);
        // Lowest slots are handed out first (popped last): keeps chunks compact.
        let i = (offset / slot.size()) as u32;
        let at = chunk.free.partition_point(|&f| f > i);
        chunk.free.insert(at, i);
        if chunk.free.len() == chunk.slots as usize {
            let empty = inner
                .chunks
                .iter()
                .filter(|c| c.free.len() == c.slots as usize)
                .count();
            if empty > 1 {
                let chunk = inner.chunks.remove(index);
                // SAFETY: every slot of the chunk is free: nothing points into it any more.
                unsafe { unmap(chunk.base, chunk_bytes(slot).0) };
            } else {
                // SAFETY: as above; the mapping stays, its pages are dropped.
                unsafe { release_pages(inner.chunks[index].base, chunk_bytes(slot).0) };
            }
        }
    }

    /// Chunks held (for tests).
    #[cfg(test)]
    fn chunks(&self) -> usize {
        self.lock().chunks.len()
    }
}

impl Inner {
    /// Allocates a chunk, inserted in address order; returns its index.
    fn add_chunk(&mut self, slot: Layout) -> usize {
        let (bytes, slots) = chunk_bytes(slot);
        // SAFETY: a fresh private anonymous mapping: no file, no address hint, nothing of
        // ours is replaced.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        let base = match NonNull::new(base.cast::<u8>()) {
            Some(base) if base.as_ptr() != libc::MAP_FAILED.cast() => base,
            _ => alloc::handle_alloc_error(Layout::from_size_align(bytes, PAGE).unwrap()),
        };
        let index = self.chunks.partition_point(|c| c.base < base);
        self.chunks.insert(
            index,
            Chunk {
                base,
                // Popped from the end: slot 0 first.
                free: (0..slots as u32).rev().collect(),
                slots: slots as u32,
            },
        );
        index
    }
}

impl Drop for StateSlab {
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = inner.slot else { return };
        for chunk in inner.chunks.drain(..) {
            // SAFETY: no box outlives the slab (a `SlabBox` holds an `Arc` of it): nothing points
            // into the chunk.
            unsafe { unmap(chunk.base, chunk_bytes(slot).0) };
        }
    }
}

/// The size in bytes of a chunk of `slot`s (whole pages), and how many slots it holds.
fn chunk_bytes(slot: Layout) -> (usize, usize) {
    let slots = CHUNK_BYTES.div_ceil(slot.size()).max(MIN_SLOTS);
    ((slot.size() * slots).next_multiple_of(PAGE), slots)
}

/// Releases a chunk's mapping.
///
/// # Safety
///
/// `base` and `bytes` are a chunk's, from `add_chunk`, and nothing points into it.
unsafe fn unmap(base: NonNull<u8>, bytes: usize) {
    // SAFETY: the caller's contract: exactly a mapping this module made, unused.
    let result = unsafe { libc::munmap(base.as_ptr().cast(), bytes) };
    debug_assert_eq!(result, 0, "munmap of a chunk failed");
}

/// Gives a kept chunk's memory back to the system; the mapping stays, and reads as zeros
/// when next touched.
///
/// # Safety
///
/// As for [`unmap`]: a chunk's mapping, and nothing points into it.
unsafe fn release_pages(base: NonNull<u8>, bytes: usize) {
    // SAFETY: the caller's contract; on a private anonymous mapping `MADV_DONTNEED` only
    // discards contents nobody uses (a failure leaves the pages as they were).
    let result = unsafe { libc::madvise(base.as_ptr().cast(), bytes, libc::MADV_DONTNEED) };
    debug_assert_eq!(result, 0, "madvise of a chunk failed");
}

/// A boxed value in a [`StateSlab`] (or, for a layout the slab does not serve, on the
/// global heap). Polls the future it holds in place: the value never moves.
pub(crate) struct SlabBox<F> {
    ptr: NonNull<F>,
    slab: Arc<StateSlab>,
    /// Whether `ptr` is a slab slot (otherwise the global allocator's).
    in_slab: bool,
    _owns: PhantomData<F>,
}

// SAFETY: a `SlabBox` owns its `F` as a `Box` would; the slab is `Send + Sync`.
unsafe impl<F: Send> Send for SlabBox<F> {}
// SAFETY: as above; `&SlabBox` gives only `&F`.
unsafe impl<F: Sync> Sync for SlabBox<F> {}

// Moving the box moves a pointer; the value stays put.
impl<F> Unpin for SlabBox<F> {}

impl<F> SlabBox<F> {
    pub(crate) fn new(slab: &Arc<StateSlab>, value: F) -> SlabBox<F> {
        let layout = Layout::new::<F>();
        let (ptr, in_slab) = if layout.size() == 0 {
            (NonNull::<F>::dangling(), false)
        } else if let Some(ptr) = slab.allocate(layout) {
            (ptr.cast::<F>(), true)
        } else {
            // SAFETY: `layout` is not zero-sized.
            let ptr = unsafe { alloc::alloc(layout) };
            let Some(ptr) = NonNull::new(ptr) else {
                alloc::handle_alloc_error(layout)
            };
            (ptr.cast::<F>(), false)
        };
        // SAFETY: `ptr` is valid for writes of an `F` and aligned for it (a slot has `F`'s
        // padded layout, in a chunk aligned for it; or the allocator's block for
        // `layout`; or dangling-but-aligned for a zero-sized `F`).
        unsafe { ptr.as_ptr().write(value) };
        SlabBox {
            ptr,
            slab: slab.clone(),
            in_slab,
            _owns: PhantomData,
        }
    }
}

impl<F> Drop for SlabBox<F> {
    fn drop(&mut self) {
        // SAFETY: `ptr` holds the `F` written in `new`, dropped only here.
        unsafe { self.ptr.as_ptr().drop_in_place() };
        let layout = Layout::new::<F>();
        if self.in_slab {
            self.slab.deallocate(self.ptr.cast());
        } else if layout.size() != 0 {
            // SAFETY: allocated by the global allocator with `layout` in `new`.
            unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}

impl<F: Future> Future for SlabBox<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: the `F` stays at `ptr` from `new` until it is dropped in `drop`: it is
        // never moved, so pinning it is sound whether or not the box itself moves.
        unsafe { Pin::new_unchecked(&mut *self.ptr.as_ptr()) }.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn slots_are_distinct_aligned_and_chunks_go_back_when_empty() {
        let slab = Arc::new(StateSlab::new());
        let per_chunk = chunk_bytes(Layout::new::<[u64; 256]>().pad_to_align()).1;
        let mut boxes: Vec<SlabBox<[u64; 256]>> = (0..per_chunk * 3 + 1)
            .map(|i| SlabBox::new(&slab, [i as u64; 256]))
            .collect();
        assert_eq!(slab.chunks(), 4);
        for (i, b) in boxes.iter().enumerate() {
            assert_eq!(
                b.ptr.as_ptr() as usize % std::mem::align_of::<[u64; 256]>(),
                0
            );
            // SAFETY: the box holds an initialized value.
            assert!(unsafe { b.ptr.as_ref() }.iter().all(|&v| v == i as u64));
        }
        // Empty all but one slot of the first chunk: the others go, one empty one stays.
        boxes.drain(1..);
        assert_eq!(slab.chunks(), 2);
        drop(boxes);
        assert_eq!(slab.chunks(), 1);
        // The chunk kept holds no memory.
        assert_eq!(resident_pages(&slab), 0);
        // The first slot is reused: no new chunk.
        let again = SlabBox::new(&slab, [7u64; 256]);
        assert_eq!(slab.chunks(), 1);
        drop(again);
    }

    /// Pages of the slab's chunks in memory (`mincore`).
    fn resident_pages(slab: &StateSlab) -> usize {
        let inner = slab.lock();
        let bytes = chunk_bytes(inner.slot.unwrap()).0;
        let mut resident = 0;
        for chunk in &inner.chunks {
            let mut pages = vec![0u8; bytes.div_ceil(PAGE)];
            // SAFETY: the range is one of the slab's mappings; `pages` has a byte per page.
            let result =
                unsafe { libc::mincore(chunk.base.as_ptr().cast(), bytes, pages.as_mut_ptr()) };
            assert_eq!(result, 0);
            resident += pages.iter().filter(|&&p| p & 1 != 0).count();
        }
        resident
    }

    #[test]
    fn values_are_dropped_once_and_other_layouts_use_the_heap() {
        let slab = Arc::new(StateSlab::new());
        let counter = Rc::new(());
        let a = SlabBox::new(&slab, (counter.clone(), [0u8; 100]));
        let b = SlabBox::new(&slab, counter.clone()); // another layout: the global heap
        let zst = SlabBox::new(&slab, ());
        assert!(a.in_slab && !b.in_slab && !zst.in_slab);
        assert_eq!(Rc::strong_count(&counter), 3);
        drop((a, b, zst));
        assert_eq!(Rc::strong_count(&counter), 1);
    }

    #[test]
    fn a_boxed_future_is_polled_in_place() {
        let slab = Arc::new(StateSlab::new());
        let mut fut = SlabBox::new(&slab, async {
            kairos::task::yield_now().await;
            5
        });
        let rt = kairos::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(&mut fut), 5);
    }
}
