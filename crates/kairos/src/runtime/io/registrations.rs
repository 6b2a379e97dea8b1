//! The registration slab: which `ScheduledIo` a `mio` token names.
//!
//! A token packs a slot index and the slot's *generation*:
//!
//! ```text
//!  64-bit: bits 0..32 index, bits 32..64 generation
//!  32-bit: bits 0..20 index, bits 20..32 generation
//! ```
//!
//! Releasing a slot bumps its generation before the slot can be handed out again. An
//! event the driver harvested for a registration that was released meanwhile (the
//! socket was dropped between `epoll_wait` returning and the event being dispatched)
//! therefore carries an old generation, and `get` refuses it: a stale event never wakes
//! the socket that reused the slot.
//!
//! # Who owns a `ScheduledIo`
//!
//! Each registration gets its own heap allocation, owned by the `Registration` that asked
//! for it and counted by nobody: the slab keeps a pointer to it, and the driver
//! dereferences that pointer only under the lock that guards the slab, taking the wakers
//! it must call out while it holds the lock. `release` takes the pointer out of the slab
//! (under the same lock) and hands the allocation back to its owner, who frees it: from
//! then on no one else can reach it. (An `Arc` here cost 16 bytes of counts per socket,
//! which made each allocation an 80-byte heap chunk instead of 64, and two atomic
//! operations per event.)
//!
//! The two highest token values are reserved for the driver's own sources (its waker and
//! the signal pipe); the generation never reaches them.

use super::scheduled_io::ScheduledIo;
use std::io;
use std::ptr::NonNull;
use std::task::Waker;

const INDEX_BITS: u32 = if usize::BITS >= 64 { 32 } else { 20 };
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Generations wrap before the value that would make a reserved token.
const MAX_GENERATION: usize = (usize::MAX >> INDEX_BITS) - 1;

/// The token of the driver's `mio::Waker`.
pub(crate) const WAKE_TOKEN: mio::Token = mio::Token(usize::MAX);
/// The token of the signal pipe's reading end.
pub(crate) const SIGNAL_TOKEN: mio::Token = mio::Token(usize::MAX - 1);

/// The slots, guarded by the driver handle's lock.
pub(crate) struct Registrations {
    slots: Vec<Slot>,
    free: Vec<usize>,
    is_shutdown: bool,
}

struct Slot {
    generation: usize,
    io: Option<IoPtr>,
}

/// A registration's `ScheduledIo`, as the slab sees it: a pointer to an allocation that
/// its `Registration` owns (module docs).
struct IoPtr(NonNull<ScheduledIo>);

// SAFETY: `ScheduledIo` is `Send + Sync` (atomics and a mutex); the pointer is only
// dereferenced under the slab's lock while the slot holds it, and the allocation is freed
// only after `release` removed it from the slot.
unsafe impl Send for IoPtr {}
// SAFETY: as for `Send`: a shared slab hands out only `&ScheduledIo`, which is `Sync`.
unsafe impl Sync for IoPtr {}

impl IoPtr {
    fn get(&self) -> &ScheduledIo {
        // SAFETY: the allocation is live while the slot holds the pointer: its owner frees
        // it only after `release`, which needs the slab mutably, so not while `self` is
        // borrowed.
        unsafe { self.0.as_ref() }
    }
}

impl Registrations {
    pub(crate) fn new() -> Registrations {
        Registrations {
            slots: Vec::new(),
            free: Vec::new(),
            is_shutdown: false,
        }
    }

    /// A fresh `ScheduledIo` in a free slot, and the token that names it. The caller owns
    /// the allocation: it gets it back as a `Box` from [`release`](Self::release), and
    /// must not free it any other way.
    ///
    /// # Errors
    ///
    /// After the driver shut down, or when the slab is full.
    pub(crate) fn allocate(&mut self) -> io::Result<(mio::Token, NonNull<ScheduledIo>)> {
        if self.is_shutdown {
            return Err(super::runtime_gone());
        }
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                if self.slots.len() > INDEX_MASK {
                    return Err(io::Error::other(
                        "the I/O driver holds the most registrations it can address",
                    ));
                }
                self.slots.push(Slot {
                    generation: 0,
                    io: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        let io = NonNull::from(Box::leak(Box::new(ScheduledIo::new())));
        slot.io = Some(IoPtr(io));
        Ok((mio::Token(slot.generation << INDEX_BITS | index), io))
    }

    /// The registration `token` names, unless it was released since.
    pub(crate) fn get(&self, token: mio::Token) -> Option<&ScheduledIo> {
        let (index, generation) = split(token);
        let slot = self.slots.get(index)?;
        if slot.generation != generation {
            return None;
        }
        slot.io.as_ref().map(IoPtr::get)
    }

    /// Frees `token`'s slot (its generation moves on so stale events miss it) and hands
    /// the registration's allocation back, for its owner to drop once it released the
    /// slab's lock (dropping it drops wakers, which may run arbitrary code). `None` if the
    /// token is stale.
    #[must_use]
    pub(crate) fn release(&mut self, token: mio::Token) -> Option<Box<ScheduledIo>> {
        let (index, generation) = split(token);
        let slot = self.slots.get_mut(index)?;
        if slot.generation != generation {
            return None;
        }
        let io = slot.io.take()?;
        slot.generation = if slot.generation >= MAX_GENERATION {
            0
        } else {
            slot.generation + 1
        };
        self.free.push(index);
        // SAFETY: the pointer came from `Box::leak` in `allocate`, and only this slot held
        // it for the driver; taken out of the slot, nothing in the slab reaches it again.
        Some(unsafe { Box::from_raw(io.0.as_ptr()) })
    }

    /// Refuses new registrations, marks the live ones as shut down and moves all their
    /// waiters' wakers into `wakers`, to be woken once the lock is released.
    pub(crate) fn shutdown(&mut self, wakers: &mut Vec<Waker>) {
        self.is_shutdown = true;
        for io in self.slots.iter().filter_map(|slot| slot.io.as_ref()) {
            io.get().shutdown(wakers);
        }
    }

    /// Live registrations.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

fn split(token: mio::Token) -> (usize, usize) {
    (token.0 & INDEX_MASK, token.0 >> INDEX_BITS)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_stale_token_misses_the_reused_slot() {
        let mut regs = Registrations::new();
        let (old, old_io) = regs.allocate().unwrap();
        let freed = regs
            .release(old)
            .expect("a live token hands its allocation back");
        assert_eq!(NonNull::from(&*freed), old_io);
        assert!(regs.get(old).is_none());
        let (new, new_io) = regs.allocate().unwrap();
        assert_eq!(old.0 & INDEX_MASK, new.0 & INDEX_MASK, "the slot is reused");
        assert_ne!(old, new);
        assert!(regs.get(old).is_none());
        assert_eq!(NonNull::from(regs.get(new).unwrap()), new_io);
        // Releasing the stale token again neither frees nor hands out the new registration.
        assert!(regs.release(old).is_none());
        assert_eq!(regs.len(), 1);
        drop(regs.release(new));
    }

    #[test]
    fn tokens_never_collide_with_reserved_ones() {
        let mut regs = Registrations::new();
        let (token, _) = regs.allocate().unwrap();
        regs.slots[0].generation = MAX_GENERATION;
        let freed = regs.release(mio::Token(
            MAX_GENERATION << INDEX_BITS | (token.0 & INDEX_MASK),
        ));
        assert!(freed.is_some());
        assert_eq!(regs.slots[0].generation, 0, "the generation wraps");
        let highest = MAX_GENERATION << INDEX_BITS | INDEX_MASK;
        assert!(highest < SIGNAL_TOKEN.0);
    }

    #[test]
    fn shutdown_marks_the_live_and_refuses_new_registrations() {
        let mut regs = Registrations::new();
        let (token, _) = regs.allocate().unwrap();
        let mut wakers = Vec::new();
        regs.shutdown(&mut wakers);
        let live = regs.get(token).unwrap();
        assert!(live.ready_event(crate::io::Interest::READABLE).is_shutdown);
        assert!(regs.allocate().is_err());
        drop(regs.release(token));
    }
}
