//! Each worker's run queue: a fixed ring that its owner pushes to and pops from without
//! locks, and that other workers steal half of when they run dry.
//!
//! Two 32-bit cursors index the ring (wrapping; the slot is `cursor % CAPACITY`):
//! - `tail` is written only by the owner. A slot becomes visible to others when the
//!   owner's `Release` store of `tail` passes it.
//! - `head` is advanced by compare-and-swap, by the owner (pop) and by stealers. Whoever
//!   moves `head` past a slot owns the task that was in it.
//!
//! The owner pushes while `tail - head < CAPACITY`; when full it claims the oldest half by
//! moving `head` and sends those tasks, with the new one, to the injection queue. A stealer
//! reads `head` and `tail`, copies the older half of the slots into its own ring (beyond its
//! own `tail`, where nobody looks), then tries to move the victim's `head` past them: if
//! that fails, someone else took tasks meanwhile and it retries; if it succeeds, it
//! publishes its own `tail`. Slots are atomic pointers, so the copy may read a slot the
//! owner is refilling; that copy is then discarded because the compare-and-swap fails (the
//! owner only refills a slot after `head` moved past it, and acquires `head` first).

use crate::loom::sync::atomic::{AtomicPtr, AtomicU32, Ordering::*};
use crate::loom::sync::Arc;
use crate::runtime::scheduler::Inject;
use crate::task::{Header, Notified, Schedule};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// Slots per worker ring: room for a few hundred connections' tasks each. A task that
/// overflows to the injection queue waits there, then again at the back of a ring, so a
/// ring that overflows under steady load puts a tail on latency: echo with 500
/// connections on 2 workers (about 250 ready tasks per ring), p99 9.60 ms with 256 slots
/// against 8.92 ms with 1,024 (medians of four alternating runs). 8 KiB per worker.
#[cfg(not(loom))]
pub(crate) const CAPACITY: usize = 1024;
#[cfg(loom)]
pub(crate) const CAPACITY: usize = 4;

const MASK: u32 = CAPACITY as u32 - 1;

struct Inner<S: 'static> {
    head: AtomicU32,
    tail: AtomicU32,
    buffer: Box<[AtomicPtr<Header>]>,
    _tasks: PhantomData<S>,
}

/// The owner's end: push and pop.
pub(crate) struct Local<S: 'static> {
    inner: Arc<Inner<S>>,
}

/// Everyone else's end: steal.
pub(crate) struct Steal<S: 'static> {
    inner: Arc<Inner<S>>,
}

/// A new, empty ring.
pub(crate) fn local<S: 'static>() -> (Steal<S>, Local<S>) {
    let buffer = (0..CAPACITY)
        .map(|_| AtomicPtr::new(ptr::null_mut()))
        .collect::<Vec<_>>()
        .into_boxed_slice();
    let inner = Arc::new(Inner {
        head: AtomicU32::new(0),
        tail: AtomicU32::new(0),
        buffer,
        _tasks: PhantomData,
    });
    (
        Steal {
            inner: inner.clone(),
        },
        Local { inner },
    )
}

impl<S: 'static> Inner<S> {
    fn slot(&self, cursor: u32) -> &AtomicPtr<Header> {
        &self.buffer[(cursor & MASK) as usize]
    }

    fn len(&self) -> usize {
        let head = self.head.load(Acquire);
        let tail = self.tail.load(Acquire);
        tail.wrapping_sub(head) as usize
    }
}

impl<S: Schedule> Local<S> {
    pub(crate) fn len(&self) -> usize {
        self.inner.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pushes a task at the back; when the ring is full, moves the oldest half and `task`
    /// to `inject`.
    pub(crate) fn push_back_or_overflow(&mut self, mut task: Notified<S>, inject: &Inject<S>) {
        loop {
            let head = self.inner.head.load(Acquire);
            // Only this thread writes `tail`.
            let tail = self.inner.tail.load(Relaxed);
            if tail.wrapping_sub(head) < CAPACITY as u32 {
                self.inner
                    .slot(tail)
                    .store(task.into_raw().as_ptr(), Relaxed);
                self.inner.tail.store(tail.wrapping_add(1), Release);
                return;
            }
            match self.push_overflow(task, head, inject) {
                Ok(()) => return,
                // A stealer freed room meanwhile.
                Err(back) => task = back,
            }
        }
    }

    fn push_overflow(
        &mut self,
        task: Notified<S>,
        head: u32,
        inject: &Inject<S>,
    ) -> Result<(), Notified<S>> {
        const HALF: u32 = (CAPACITY / 2) as u32;
        if self
            .inner
            .head
            .compare_exchange(head, head.wrapping_add(HALF), Release, Relaxed)
            .is_err()
        {
            return Err(task);
        }
        let inner = &self.inner;
        let claimed = (0..HALF).map(|i| {
            let ptr = inner.slot(head.wrapping_add(i)).load(Relaxed);
            // SAFETY: moving `head` past these slots made their tasks ours; this thread
            // wrote them, and will not overwrite them before this iterator is consumed.
            unsafe { Notified::from_raw(NonNull::new_unchecked(ptr)) }
        });
        inject.push_batch(claimed.chain(std::iter::once(task)));
        Ok(())
    }

    /// Pops the oldest task.
    pub(crate) fn pop(&mut self) -> Option<Notified<S>> {
        let mut head = self.inner.head.load(Acquire);
        loop {
            let tail = self.inner.tail.load(Relaxed);
            if head == tail {
                return None;
            }
            let ptr = self.inner.slot(head).load(Relaxed);
            match self
                .inner
                .head
                .compare_exchange(head, head.wrapping_add(1), AcqRel, Acquire)
            {
                // SAFETY: moving `head` past the slot made its task ours; the slot held a
                // task because `head != tail`.
                Ok(_) => return Some(unsafe { Notified::from_raw(NonNull::new_unchecked(ptr)) }),
                Err(actual) => head = actual,
            }
        }
    }
}

impl<S: Schedule> Steal<S> {
    pub(crate) fn len(&self) -> usize {
        self.inner.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves about half of this ring's tasks into `dst` (which must be empty) and returns
    /// one of them to run at once.
    pub(crate) fn steal_into(&self, dst: &mut Local<S>) -> Option<Notified<S>> {
        let dst_tail = dst.inner.tail.load(Relaxed);
        debug_assert!(dst.is_empty(), "stealing into a non-empty queue");
        if !dst.is_empty() {
            return None;
        }
        loop {
            let head = self.inner.head.load(Acquire);
            let tail = self.inner.tail.load(Acquire);
            let available = tail.wrapping_sub(head);
            let n = available - available / 2;
            if n == 0 {
                return None;
            }
            if n as usize > CAPACITY / 2 {
                // `head` was stale against `tail`: the two loads straddled many pops and
                // pushes. Look again.
                crate::loom::spin_loop();
                continue;
            }
            for i in 0..n {
                let ptr = self.inner.slot(head.wrapping_add(i)).load(Relaxed);
                dst.inner.slot(dst_tail.wrapping_add(i)).store(ptr, Relaxed);
            }
            if self
                .inner
                .head
                .compare_exchange(head, head.wrapping_add(n), AcqRel, Acquire)
                .is_err()
            {
                crate::loom::spin_loop();
                continue;
            }
            // The copied tasks are ours: run the last, publish the rest.
            let last = dst.inner.slot(dst_tail.wrapping_add(n - 1)).load(Relaxed);
            if n > 1 {
                dst.inner.tail.store(dst_tail.wrapping_add(n - 1), Release);
            }
            // SAFETY: the successful compare-and-swap made the copied tasks ours, and the
            // copy happened before it, while the victim could not refill those slots.
            return Some(unsafe { Notified::from_raw(NonNull::new_unchecked(last)) });
        }
    }
}

impl<S: 'static> Drop for Local<S> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            debug_assert_eq!(self.inner.len(), 0, "run queue dropped with tasks in it");
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::task::tests::{counted_task, Counter, NoopSchedule};
    use crate::task::OwnedTasks;

    #[test]
    fn push_pop_is_fifo_and_overflow_moves_half_to_inject() {
        let counter = Counter::default();
        let inject = Inject::new();
        let (_steal, mut local) = local::<NoopSchedule>();
        let mut owned = Vec::new();
        for i in 0..CAPACITY + 1 {
            let (task, notified) = counted_task(&counter, i);
            owned.push(task);
            local.push_back_or_overflow(notified, &inject);
        }
        assert_eq!(inject.len(), CAPACITY / 2 + 1);
        assert_eq!(local.len(), CAPACITY / 2);
        // Local pops continue from the middle, in order.
        let first = local.pop().unwrap();
        assert_eq!(first.id(), owned[CAPACITY / 2].id());
        drop(first);
        while local.pop().is_some() {}
        let mut sink = OwnedTasks::new();
        assert_eq!(inject.pop(&mut sink).unwrap().id(), owned[0].id());
        inject.close();
        inject.shutdown();
    }

    #[test]
    fn steal_takes_the_older_half() {
        let counter = Counter::default();
        let inject = Inject::new();
        let (steal, mut victim) = local::<NoopSchedule>();
        let (_s2, mut thief) = local::<NoopSchedule>();
        let mut owned = Vec::new();
        for i in 0..10 {
            let (task, notified) = counted_task(&counter, i);
            owned.push(task);
            victim.push_back_or_overflow(notified, &inject);
        }
        let got = steal.steal_into(&mut thief).unwrap();
        assert_eq!(got.id(), owned[4].id());
        assert_eq!(thief.len(), 4);
        assert_eq!(victim.len(), 5);
        assert_eq!(thief.pop().unwrap().id(), owned[0].id());
        drop(got);
        while thief.pop().is_some() {}
        while victim.pop().is_some() {}
    }
}

#[cfg(all(test, loom))]
mod loom_queue {
    use super::*;
    use crate::task::tests::{counted_task, Counter, NoopSchedule};
    use crate::task::OwnedTasks;
    use loom::thread;

    /// Pushes and pops on the owner side race with a steal: every task is taken exactly
    /// once (the counter checks each future is dropped exactly once, by its owner list).
    #[test]
    fn push_pop_steal() {
        loom::model(|| {
            let counter = Counter::default();
            let inject = Inject::new();
            let (steal, mut local) = local::<NoopSchedule>();
            let mut owned = Vec::new();
            for i in 0..2 {
                let (task, notified) = counted_task(&counter, i);
                owned.push(task);
                local.push_back_or_overflow(notified, &inject);
            }
            let thief = thread::spawn(move || {
                let (_s, mut mine) = super::local::<NoopSchedule>();
                let mut n = 0;
                if let Some(task) = steal.steal_into(&mut mine) {
                    n += 1;
                    drop(task);
                    while let Some(task) = mine.pop() {
                        n += 1;
                        drop(task);
                    }
                }
                n
            });
            // The owner keeps pushing and popping while the steal is under way.
            let (task, notified) = counted_task(&counter, 2);
            owned.push(task);
            local.push_back_or_overflow(notified, &inject);
            let mut n = 0;
            if let Some(task) = local.pop() {
                n += 1;
                drop(task);
            }
            let (task, notified) = counted_task(&counter, 3);
            owned.push(task);
            local.push_back_or_overflow(notified, &inject);
            while let Some(task) = local.pop() {
                n += 1;
                drop(task);
            }
            n += thief.join().unwrap();
            let mut sink = OwnedTasks::new();
            while let Some(task) = inject.pop(&mut sink) {
                n += 1;
                drop(task);
            }
            assert_eq!(n, 4);
            for task in owned {
                task.shutdown();
            }
            assert_eq!(counter.dropped(), 4);
        });
    }

    /// The owner overflows into the injection queue while a thief steals: nothing is lost
    /// or taken twice.
    #[test]
    fn overflow_races_steal() {
        loom::model(|| {
            let counter = Counter::default();
            let inject = Arc::new(Inject::new());
            let (steal, mut local) = local::<NoopSchedule>();
            let mut owned = Vec::new();
            for i in 0..CAPACITY {
                let (task, notified) = counted_task(&counter, i);
                owned.push(task);
                local.push_back_or_overflow(notified, &inject);
            }
            let thief = thread::spawn(move || {
                let (_s, mut mine) = super::local::<NoopSchedule>();
                let mut n = 0;
                if let Some(task) = steal.steal_into(&mut mine) {
                    n += 1;
                    drop(task);
                    while let Some(task) = mine.pop() {
                        n += 1;
                        drop(task);
                    }
                }
                n
            });
            let (task, notified) = counted_task(&counter, CAPACITY);
            owned.push(task);
            local.push_back_or_overflow(notified, &inject);
            let mut n = 0;
            while let Some(task) = local.pop() {
                n += 1;
                drop(task);
            }
            let mut sink = OwnedTasks::new();
            while let Some(task) = inject.pop(&mut sink) {
                n += 1;
                drop(task);
            }
            n += thief.join().unwrap();
            assert_eq!(n, CAPACITY + 1);
            for task in owned {
                task.shutdown();
            }
            assert_eq!(counter.dropped(), CAPACITY + 1);
        });
    }
}
