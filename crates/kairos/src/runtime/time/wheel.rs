//! The hierarchical timing wheel: 6 levels of 64 slots, 1 ms per level-0 slot.
//!
//! Level `L` slots each span `64^L` ms, so the levels cover 64 ms, 4 s, 4.4 min, 4.7 h,
//! 12.4 days and 2.2 years. A timer goes to the lowest level whose slot span separates
//! its deadline from `elapsed` (the time the wheel has processed up to): the level of
//! the highest 6-bit group in which the two differ. When a higher-level slot comes due,
//! its timers *cascade*: each moves to a lower level, closer to its deadline. Every
//! timer thus moves at most five times, and nothing is ever scanned: the next occupied
//! slot of a level is found with one rotate and one count of trailing zeros on the
//! level's occupancy bitmap.
//!
//! Timers live in a slab of nodes linked into their slot's doubly-linked list, so
//! cancelling one is O(1): unlink it by key. A key carries the node's generation, so a
//! stale key (its timer already fired, the node reused) removes nothing.
//!
//! The slab gives memory back after a burst: once few timers are left, free nodes at its
//! end are dropped (all of them once the wheel is empty, so the next burst fills it front
//! to back again), and its vectors shrink when they have stayed at most a quarter full
//! for a second, which a timer of the wheel's own checks. (Shrinking at once made a burst
//! that followed another grow the vectors and fault their pages in again: +1 ms at the
//! 99th percentile of the overshoot of 100,000 sleeps.) A node made again at a dropped
//! index starts at a generation above every dropped one, so a stale key to the old node
//! still names nothing.
//!
//! A slot that comes due is drained whole: its due timers move to the `expired` list,
//! the others cascade. Draining it partly would break the rule that the first level
//! with an occupied slot holds the earliest one (a cascaded timer could land on a lower
//! level and hide the rest of the slot).
//!
//! Deadlines more than about two years ahead are parked in the top level at the
//! farthest slot that cannot be mistaken for the current one, and cascade again when
//! they get there.

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const SLOT_BITS: u32 = 6;
/// The span of the whole wheel, in ms.
const SPAN: u64 = 1 << (SLOT_BITS as usize * LEVELS);
/// The farthest a timer is placed ahead of `elapsed`: one top-level slot short of the
/// whole span, so a wrapped top-level slot is always behind the current one.
const MAX_AHEAD: u64 = SPAN - (1 << (SLOT_BITS as usize * (LEVELS - 1)));
const NIL: u32 = u32::MAX;
/// The `level` of a node on the `expired` list.
const EXPIRED: u8 = LEVELS as u8;

/// A timing wheel of `T` values keyed by deadline (in ms ticks).
pub(crate) struct Wheel<T> {
    /// Ticks processed: every timer with a deadline at or before it has been popped.
    elapsed: u64,
    levels: [Level; LEVELS],
    /// Due timers taken out of a drained slot, not yet popped.
    expired: u32,
    nodes: Vec<Node<T>>,
    /// Free node indexes, popped from the end; may hold indexes at or past
    /// `nodes.len()` (dropped nodes), skipped when popped.
    free: Vec<u32>,
    len: usize,
    /// The generation a newly made node starts at: above that of every dropped node.
    fresh_generation: u32,
    /// The wheel's own timer that checks, when it fires, whether to shrink the slab.
    shrink_check: Option<Key>,
}

/// The fewest nodes the slab keeps room for when it shrinks; also the most timers left
/// for it to shrink.
const MIN_NODES: usize = 256;
/// How long (ticks) the slab must stay small before it shrinks.
const SHRINK_DELAY: u64 = 1000;

struct Level {
    /// Bit `s` is set when slot `s` holds timers.
    occupied: u64,
    /// The first node of each slot's list.
    heads: [u32; SLOTS],
}

struct Node<T> {
    /// The default value while the node is free.
    value: T,
    deadline: u64,
    prev: u32,
    next: u32,
    level: u8,
    slot: u8,
    /// Whether the node holds a timer (a flag in the padding, rather than an `Option`
    /// around `value` that would add a word to every node: the wheel's values are
    /// `Option<Waker>`, which has no room left for a second `None`).
    in_use: bool,
    generation: u32,
}

/// Names a timer in the wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    index: u32,
    generation: u32,
}

impl<T: Default> Wheel<T> {
    pub(crate) fn new() -> Wheel<T> {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(|_| Level {
                occupied: 0,
                heads: [NIL; SLOTS],
            }),
            expired: NIL,
            nodes: Vec::new(),
            free: Vec::new(),
            len: 0,
            fresh_generation: 0,
            shrink_check: None,
        }
    }

    /// The tick up to which timers have been popped.
    #[cfg(test)]
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Timers in the wheel.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds a timer for `deadline`. Gives `value` back if the deadline is not after
    /// `elapsed`: that timer is due already, and the caller fires it.
    pub(crate) fn insert(&mut self, deadline: u64, value: T) -> Result<Key, T> {
        if deadline <= self.elapsed {
            return Err(value);
        }
        let index = match self.pop_free() {
            Some(index) => index,
            None => {
                let index = u32::try_from(self.nodes.len())
                    .ok()
                    .filter(|&index| index != NIL)
                    .expect("more than 4 billion timers");
                self.nodes.push(Node {
                    value: T::default(),
                    deadline: 0,
                    prev: NIL,
                    next: NIL,
                    level: 0,
                    slot: 0,
                    in_use: false,
                    generation: self.fresh_generation,
                });
                index
            }
        };
        let node = &mut self.nodes[index as usize];
        node.value = value;
        node.in_use = true;
        node.deadline = deadline;
        let generation = node.generation;
        self.link(index);
        self.len += 1;
        Ok(Key { index, generation })
    }

    /// Cancels the timer `key` names, in O(1); `None` if it already fired or was removed.
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let node = self.nodes.get(key.index as usize)?;
        if node.generation != key.generation || !node.in_use {
            return None;
        }
        self.unlink(key.index);
        Some(self.release(key.index))
    }

    /// The value of the timer `key` names, while it is in the wheel (not yet popped).
    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let node = self.nodes.get_mut(key.index as usize)?;
        if node.generation != key.generation || !node.in_use {
            return None;
        }
        Some(&mut node.value)
    }

    /// The tick at which the earliest timer's slot comes due: a lower bound of its
    /// deadline (exact on level 0; on higher levels the time to cascade).
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        if self.expired != NIL {
            return Some(self.elapsed);
        }
        self.next_slot().map(|(_, _, start)| start)
    }

    /// Takes out one timer whose deadline is at or before `now`, cascading the timers of
    /// due slots on the way. `None` when no timer is due; `elapsed` is then `now`.
    pub(crate) fn pop_expired(&mut self, now: u64) -> Option<T> {
        loop {
            if self.expired != NIL {
                let index = self.expired;
                self.unlink(index);
                let check = self.shrink_check.filter(|key| key.index == index);
                let value = self.release(index);
                if check.is_some() {
                    // The wheel's own timer: no one to wake.
                    self.shrink_check = None;
                    self.shrink();
                    continue;
                }
                return Some(value);
            }
            let Some((level, slot, start)) = self.next_slot().filter(|slot| slot.2 <= now) else {
                self.elapsed = self.elapsed.max(now);
                return None;
            };
            self.elapsed = self.elapsed.max(start);
            // Drain the whole slot: due timers to `expired`, the others one level down
            // or more, relative to the new `elapsed`.
            let mut index = std::mem::replace(&mut self.levels[level].heads[slot], NIL);
            self.levels[level].occupied &= !(1 << slot);
            while index != NIL {
                let next = self.nodes[index as usize].next;
                if self.nodes[index as usize].deadline <= now {
                    self.push_expired(index);
                } else {
                    self.link(index);
                }
                index = next;
            }
        }
    }

    /// Removes every timer (shutdown), in no particular order.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let values = self
            .nodes
            .iter_mut()
            .filter_map(|node| {
                node.generation = node.generation.wrapping_add(1);
                std::mem::replace(&mut node.in_use, false).then(|| std::mem::take(&mut node.value))
            })
            .collect();
        for level in &mut self.levels {
            level.occupied = 0;
            level.heads = [NIL; SLOTS];
        }
        self.expired = NIL;
        self.free = (0..self.nodes.len() as u32).collect();
        self.len = 0;
        self.shrink_check = None;
        values
    }

    /// The earliest occupied slot: its level, index and start tick.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        // A timer sits in the lowest level that separates it from `elapsed`, so the first
        // level with an occupied slot holds the earliest one (see the module docs).
        self.levels.iter().enumerate().find_map(|(level, slots)| {
            if slots.occupied == 0 {
                return None;
            }
            let shift = SLOT_BITS * level as u32;
            let current = ((self.elapsed >> shift) as u32) & (SLOTS as u32 - 1);
            let ahead = slots.occupied.rotate_right(current).trailing_zeros();
            let slot = (current + ahead) % SLOTS as u32;
            let level_span = 1u64 << (shift + SLOT_BITS);
            let mut start = (self.elapsed & !(level_span - 1)) + (u64::from(slot) << shift);
            if slot < current {
                // Only the top level wraps (`MAX_AHEAD`): the slot is in the next span.
                start += level_span;
            }
            Some((level, slot as usize, start))
        })
    }

    /// Puts node `index` into the slot its deadline belongs to, relative to `elapsed`.
    fn link(&mut self, index: u32) {
        let deadline = self.nodes[index as usize]
            .deadline
            .min(self.elapsed + MAX_AHEAD);
        let level = level_for(self.elapsed, deadline);
        let slot = ((deadline >> (SLOT_BITS * level as u32)) as usize) & (SLOTS - 1);
        let head = self.levels[level].heads[slot];
        let node = &mut self.nodes[index as usize];
        node.level = level as u8;
        node.slot = slot as u8;
        node.prev = NIL;
        node.next = head;
        if head != NIL {
            self.nodes[head as usize].prev = index;
        }
        self.levels[level].heads[slot] = index;
        self.levels[level].occupied |= 1 << slot;
    }

    /// Puts node `index` on the `expired` list.
    fn push_expired(&mut self, index: u32) {
        let head = self.expired;
        let node = &mut self.nodes[index as usize];
        node.level = EXPIRED;
        node.prev = NIL;
        node.next = head;
        if head != NIL {
            self.nodes[head as usize].prev = index;
        }
        self.expired = index;
    }

    /// Takes node `index` out of its slot's list (or the `expired` list).
    fn unlink(&mut self, index: u32) {
        let node = &self.nodes[index as usize];
        let (prev, next) = (node.prev, node.next);
        let (level, slot) = (node.level as usize, node.slot as usize);
        if prev != NIL {
            self.nodes[prev as usize].next = next;
        } else if node.level == EXPIRED {
            self.expired = next;
        } else {
            self.levels[level].heads[slot] = next;
            if next == NIL {
                self.levels[level].occupied &= !(1 << slot);
            }
        }
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        }
    }

    /// Frees an unlinked node and returns its value.
    fn release(&mut self, index: u32) -> T {
        let node = &mut self.nodes[index as usize];
        node.generation = node.generation.wrapping_add(1);
        assert!(node.in_use, "a linked node holds a value");
        node.in_use = false;
        let value = std::mem::take(&mut node.value);
        self.free.push(index);
        self.len -= 1;
        // Only once few timers are left: while many are, a release touches nothing more
        // (no cold line at the end of the slab per timer fired).
        if self.len <= MIN_NODES && self.nodes.last().is_some_and(|last| !last.in_use) {
            self.drop_free_tail();
        }
        value
    }

    /// A free node's index, if any is left below `nodes.len()`.
    fn pop_free(&mut self) -> Option<u32> {
        while let Some(index) = self.free.pop() {
            if (index as usize) < self.nodes.len() {
                return Some(index);
            }
        }
        None
    }

    /// Drops the free nodes at the end of the slab (a node is dropped at most once per
    /// time it was made: amortized O(1) a release), and sets the shrink check once the
    /// slab's vectors are at most a quarter full with few timers left.
    fn drop_free_tail(&mut self) {
        while let Some(last) = self.nodes.last() {
            if last.in_use {
                break;
            }
            // Generations only grow: a node made again here is newer than any key to it.
            self.fresh_generation = self.fresh_generation.max(last.generation);
            self.nodes.pop();
        }
        if self.nodes.is_empty() {
            // Every free index is past the end now.
            self.free.clear();
        }
        if self.shrink_check.is_none() && self.can_shrink() {
            self.shrink_check = self.insert(self.elapsed + SHRINK_DELAY, T::default()).ok();
        }
    }

    /// Whether the slab's vectors are at most a quarter full with few timers left.
    fn can_shrink(&self) -> bool {
        self.len <= MIN_NODES
            && self.nodes.capacity() > MIN_NODES
            && self.nodes.len() * 4 <= self.nodes.capacity()
    }

    /// Gives the slab's spare room back, if it is still small (the shrink check fired).
    fn shrink(&mut self) {
        if !self.can_shrink() {
            return;
        }
        let len = self.nodes.len();
        self.nodes.shrink_to((len * 2).max(MIN_NODES));
        self.free.retain(|&index| (index as usize) < len);
        self.free.shrink_to((self.free.len() * 2).max(MIN_NODES));
    }
}

/// The level for a timer due at `deadline` when the wheel stands at `elapsed`.
fn level_for(elapsed: u64, deadline: u64) -> usize {
    // The highest bit in which they differ; the low six bits never matter.
    let differing = (elapsed ^ deadline) | (SLOTS as u64 - 1);
    let significant = 63 - differing.leading_zeros();
    ((significant / SLOT_BITS) as usize).min(LEVELS - 1)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_node_of_the_runtime_wheel_is_five_words() {
        // One per timer: the waker, the deadline, the links, the place and the flags.
        let size = std::mem::size_of::<Node<Option<std::task::Waker>>>();
        assert!(size <= 40, "{size} bytes");
    }

    #[test]
    fn a_removed_or_fired_timer_is_gone_for_every_accessor() {
        let mut wheel = Wheel::new();
        let a = wheel.insert(5, 'a').unwrap();
        assert_eq!(wheel.get_mut(a), Some(&mut 'a'));
        assert_eq!(wheel.remove(a), Some('a'));
        assert_eq!(wheel.get_mut(a), None);
        assert_eq!(wheel.remove(a), None);
        // The freed node is reused under a new generation; the old key stays stale.
        let b = wheel.insert(7, 'b').unwrap();
        assert_eq!(wheel.get_mut(a), None);
        assert_eq!(wheel.drain(), vec!['b']);
        assert_eq!(wheel.get_mut(b), None);
        assert_eq!(wheel.remove(b), None);
    }

    #[test]
    fn timers_pop_in_deadline_order_and_never_early() {
        let mut wheel = Wheel::new();
        let deadlines = [
            1,
            5,
            63,
            64,
            65,
            4095,
            4096,
            4097,
            300_000,
            1 << 30,
            5_000_000_000,
        ];
        for (i, &deadline) in deadlines.iter().enumerate().rev() {
            wheel.insert(deadline, i).unwrap();
        }
        let mut now = 0;
        let mut fired = Vec::new();
        while let Some(next) = wheel.next_expiration() {
            assert!(next >= now, "time went backwards");
            now = next;
            while let Some(i) = wheel.pop_expired(now) {
                assert!(deadlines[i] <= now, "timer {i} popped early");
                assert!(
                    deadlines[i] == now,
                    "a slot came due after its timer: {now}"
                );
                fired.push(i);
            }
        }
        assert_eq!(fired, (0..deadlines.len()).collect::<Vec<_>>());
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn removing_is_exact_and_stale_keys_remove_nothing() {
        let mut wheel = Wheel::new();
        let a = wheel.insert(100, "a").unwrap();
        let b = wheel.insert(100, "b").unwrap();
        let c = wheel.insert(100, "c").unwrap();
        assert_eq!(wheel.remove(b), Some("b"));
        assert_eq!(wheel.remove(b), None);
        // The freed node is reused; the old key must not reach the new timer.
        let d = wheel.insert(200, "d").unwrap();
        assert_eq!(wheel.remove(b), None);
        assert_eq!(wheel.get_mut(b), None, "a stale key reaches nothing");
        assert_eq!(wheel.get_mut(d), Some(&mut "d"));
        let mut due: Vec<_> = std::iter::from_fn(|| wheel.pop_expired(150)).collect();
        due.sort_unstable();
        assert_eq!(due, ["a", "c"]);
        assert_eq!(wheel.remove(a), None, "fired timers cannot be removed");
        assert_eq!(wheel.get_mut(a), None);
        assert_eq!(wheel.remove(d), Some("d"));
        assert_eq!(wheel.next_expiration(), None);
        let _ = c;
    }

    #[test]
    fn an_emptied_wheel_hands_out_nodes_in_order_and_old_keys_stay_stale() {
        let mut wheel = Wheel::new();
        let old: Vec<Key> = (0..4).map(|i| wheel.insert(10 + i, i).unwrap()).collect();
        // Fired in an order unrelated to the slab's: reverse deadlines.
        assert_eq!(wheel.remove(old[3]), Some(3));
        assert_eq!(std::iter::from_fn(|| wheel.pop_expired(100)).count(), 3);
        assert_eq!(wheel.len(), 0);
        let new: Vec<Key> = (0..4).map(|i| wheel.insert(200 + i, i).unwrap()).collect();
        let indices: Vec<u32> = new.iter().map(|key| key.index).collect();
        assert_eq!(indices, [0, 1, 2, 3], "the slab fills front to back again");
        for key in old {
            assert_eq!(wheel.get_mut(key), None);
            assert_eq!(wheel.remove(key), None);
        }
        assert_eq!(wheel.len(), 4);
    }

    #[test]
    fn the_slab_gives_memory_back_after_a_burst_and_keys_to_dropped_nodes_stay_stale() {
        let mut wheel = Wheel::new();
        let burst = 10_000u64;
        let keys: Vec<Key> = (0..burst)
            .map(|i| wheel.insert(10 + i, i).unwrap())
            .collect();
        let grown = wheel.nodes.capacity();
        assert!(grown >= burst as usize);
        // One timer near the end outlives the burst; the rest go, in no particular order.
        let survivor = keys[9_000];
        for (i, &key) in keys.iter().enumerate().rev() {
            if key != survivor {
                assert_eq!(wheel.remove(key), Some(i as u64));
            }
        }
        // The end past the survivor is dropped (the rest of the room stays while more
        // than a quarter of it is slab).
        assert_eq!(wheel.nodes.len(), 9_001);
        // New timers take free nodes (here the last freed, the front), so the survivor's
        // going frees the rest.
        let front: Vec<Key> = (0..3)
            .map(|i| wheel.insert(50_000 + i, i).unwrap())
            .collect();
        assert_eq!(front.iter().map(|k| k.index).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(wheel.remove(survivor), Some(9_000));
        // The end goes at once; the room a second later, when the wheel's own check fires
        // (it wakes no one: nothing is popped).
        assert!(wheel.nodes.len() <= 4, "{}", wheel.nodes.len());
        assert_eq!(wheel.nodes.capacity(), grown);
        assert_eq!(wheel.pop_expired(SHRINK_DELAY - 1), None);
        assert_eq!(wheel.nodes.capacity(), grown);
        assert_eq!(wheel.pop_expired(SHRINK_DELAY), None);
        assert_eq!(wheel.nodes.len(), 3);
        assert!(
            wheel.nodes.capacity() <= MIN_NODES,
            "{} of {grown}",
            wheel.nodes.capacity()
        );
        assert!(
            wheel.free.capacity() <= MIN_NODES,
            "{}",
            wheel.free.capacity()
        );
        // Nodes made again at dropped indexes are newer than any key to the old ones.
        let again: Vec<Key> = (0..20)
            .map(|i| wheel.insert(60_000 + i, i).unwrap())
            .collect();
        for key in keys.iter().take(23) {
            assert_eq!(wheel.get_mut(*key), None);
            assert_eq!(wheel.remove(*key), None);
        }
        assert_eq!(wheel.len(), 23);
        for (i, key) in again.into_iter().enumerate() {
            assert_eq!(wheel.remove(key), Some(i as u64));
        }
    }

    #[test]
    fn past_deadlines_are_refused_and_far_ones_cascade() {
        let mut wheel = Wheel::new();
        assert_eq!(wheel.pop_expired(1000), None);
        assert_eq!(wheel.elapsed(), 1000);
        assert_eq!(wheel.insert(1000, 1), Err(1));
        // 139 years ahead: beyond the wheel's span.
        let far = 1 << 42;
        wheel.insert(far, 2).unwrap();
        let first = wheel.next_expiration().unwrap();
        assert!(
            first > 1000 + (1 << 35),
            "a far timer wakes the driver rarely"
        );
        // Jumping to the far deadline cascades it through the levels and fires it.
        assert_eq!(wheel.pop_expired(far - 1), None);
        assert_eq!(wheel.pop_expired(far), Some(2));
    }

    #[test]
    fn a_due_timer_not_yet_popped_can_still_be_removed() {
        let mut wheel = Wheel::new();
        let a = wheel.insert(7, 'a').unwrap();
        let b = wheel.insert(7, 'b').unwrap();
        let first = wheel.pop_expired(7).unwrap();
        let (other, other_value) = if first == 'a' { (b, 'b') } else { (a, 'a') };
        assert_eq!(wheel.next_expiration(), Some(7), "the other one is due");
        assert_eq!(wheel.remove(other), Some(other_value));
        assert_eq!(wheel.pop_expired(7), None);
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn drain_empties_the_wheel() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(10, 'x').unwrap();
        wheel.insert(1 << 20, 'y').unwrap();
        let mut all = wheel.drain();
        all.sort();
        assert_eq!(all, ['x', 'y']);
        assert_eq!(wheel.remove(key), None);
        assert_eq!(wheel.next_expiration(), None);
        wheel.insert(20, 'z').unwrap();
        assert_eq!(wheel.pop_expired(20), Some('z'));
    }

    /// Random deadlines, cancellations and clock jumps against a sorted model.
    #[test]
    fn matches_a_sorted_model_under_random_operations() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut random = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let mut wheel = Wheel::new();
        let mut live: Vec<(u64, u32, Key)> = Vec::new();
        let mut now = 0u64;
        for id in 0..20_000u32 {
            let ahead = match random(4) {
                0 => random(64),
                1 => random(5_000),
                2 => random(1 << 24),
                _ => random(1 << 40),
            } + 1;
            let key = wheel.insert(now + ahead, id).unwrap();
            live.push((now + ahead, id, key));
            if random(5) == 0 {
                let victim = random(live.len() as u64) as usize;
                let (_, id, key) = live.swap_remove(victim);
                assert_eq!(wheel.remove(key), Some(id));
            }
            if random(50) == 0 {
                now += random(1 << 30);
                let mut fired: Vec<u32> = std::iter::from_fn(|| wheel.pop_expired(now)).collect();
                let mut due: Vec<u32> = live.iter().filter(|t| t.0 <= now).map(|t| t.1).collect();
                live.retain(|t| t.0 > now);
                fired.sort_unstable();
                due.sort_unstable();
                assert_eq!(fired, due, "at {now}");
                if let Some(next) = wheel.next_expiration() {
                    let earliest = live.iter().map(|t| t.0).min().unwrap();
                    assert!(next <= earliest && next > now, "{next} vs {earliest}");
                }
            }
        }
        assert_eq!(wheel.len(), live.len());
    }
}
