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
//! the socket that reused the slot. Each registration also gets its own `ScheduledIo`
//! allocation, so a waker that was taken before the release can only reach the old one.
//!
//! The two highest token values are reserved for the driver's own sources (its waker and
//! the signal pipe); the generation never reaches them.

use super::scheduled_io::ScheduledIo;
use crate::loom::sync::Arc;
use std::io;

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
    io: Option<Arc<ScheduledIo>>,
}

impl Registrations {
    pub(crate) fn new() -> Registrations {
        Registrations {
            slots: Vec::new(),
            free: Vec::new(),
            is_shutdown: false,
        }
    }

    /// A fresh `ScheduledIo` in a free slot, and the token that names it.
    ///
    /// # Errors
    ///
    /// After the driver shut down, or when the slab is full.
    pub(crate) fn allocate(&mut self) -> io::Result<(mio::Token, Arc<ScheduledIo>)> {
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
        let io = Arc::new(ScheduledIo::new());
        slot.io = Some(io.clone());
        Ok((mio::Token(slot.generation << INDEX_BITS | index), io))
    }

    /// The registration `token` names, unless it was released since.
    pub(crate) fn get(&self, token: mio::Token) -> Option<&Arc<ScheduledIo>> {
        let (index, generation) = split(token);
        let slot = self.slots.get(index)?;
        if slot.generation != generation {
            return None;
        }
        slot.io.as_ref()
    }

    /// Frees `token`'s slot; its generation moves on so stale events miss it.
    pub(crate) fn release(&mut self, token: mio::Token) {
        let (index, generation) = split(token);
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        if slot.generation != generation || slot.io.is_none() {
            return;
        }
        slot.io = None;
        slot.generation = if slot.generation >= MAX_GENERATION {
            0
        } else {
            slot.generation + 1
        };
        self.free.push(index);
    }

    /// Refuses new registrations and hands back the live ones, for the driver to mark as
    /// shut down.
    pub(crate) fn shutdown(&mut self) -> Vec<Arc<ScheduledIo>> {
        self.is_shutdown = true;
        self.slots
            .iter()
            .filter_map(|slot| slot.io.clone())
            .collect()
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
        regs.release(old);
        assert!(regs.get(old).is_none());
        let (new, new_io) = regs.allocate().unwrap();
        assert_eq!(old.0 & INDEX_MASK, new.0 & INDEX_MASK, "the slot is reused");
        assert_ne!(old, new);
        assert!(regs.get(old).is_none());
        assert!(Arc::ptr_eq(regs.get(new).unwrap(), &new_io));
        assert!(!Arc::ptr_eq(&old_io, &new_io));
        // Releasing the stale token again does not free the new registration.
        regs.release(old);
        assert_eq!(regs.len(), 1);
    }

    #[test]
    fn tokens_never_collide_with_reserved_ones() {
        let mut regs = Registrations::new();
        let (token, _) = regs.allocate().unwrap();
        regs.slots[0].generation = MAX_GENERATION;
        regs.release(mio::Token(
            MAX_GENERATION << INDEX_BITS | (token.0 & INDEX_MASK),
        ));
        assert_eq!(regs.slots[0].generation, 0, "the generation wraps");
        let highest = MAX_GENERATION << INDEX_BITS | INDEX_MASK;
        assert!(highest < SIGNAL_TOKEN.0);
    }

    #[test]
    fn shutdown_refuses_new_registrations() {
        let mut regs = Registrations::new();
        let _live = regs.allocate().unwrap();
        assert_eq!(regs.shutdown().len(), 1);
        assert!(regs.allocate().is_err());
    }
}
