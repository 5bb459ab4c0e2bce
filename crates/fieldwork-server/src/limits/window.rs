//! A key's rolling window in memory: its admits counted in 61 slots of 1/60 of the window.
//!
//! A token bucket (or GCRA) with a burst of N lets up to 2N requests through in some windows
//! (a full burst, then the refill). The limit is "at most N in *any* rolling window", so this
//! counts admits instead: a request is admitted only when fewer than N are counted. The counts
//! cover the current slot and the 60 before it — from the start of the oldest slot to now, at
//! least the whole window — so no window ever holds more than N admits; a request may be
//! refused up to one slot (1 s of a 60 s window) longer than a log of exact times would, and
//! never admitted sooner.
//!
//! Slots rather than a log of admit times: the state is 61 counters per key whatever the limit.
//! A log held every admit of the last minute (millions of entries for a key with a high limit),
//! and its growth made the allocator the largest cost of the limiter (BENCHMARKS.md, issue 6).

/// Slots per window; the counts cover one more (the current slot).
const SLOTS: u64 = 60;
const RING: usize = SLOTS as usize + 1;

/// Admit counts per slot, as a ring indexed by slot number.
#[derive(Debug)]
pub struct SlidingWindow {
    counts: [u32; RING],
    /// Number of the newest slot the ring holds (slot = time / slot length).
    newest: u64,
    /// Sum of `counts`.
    total: u32,
}

impl Default for SlidingWindow {
    fn default() -> Self {
        Self {
            counts: [0; RING],
            newest: 0,
            total: 0,
        }
    }
}

/// The window's state after a decision, as the rate-limit headers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    /// Whether the request was admitted (and counted).
    pub admitted: bool,
    /// Requests still allowed now.
    pub remaining: u32,
    /// Microseconds until the oldest counted admit stops counting (and one more request would
    /// pass); 0 when nothing is counted.
    pub reset_micros: u64,
}

impl SlidingWindow {
    /// Admits a request at `now` (microseconds) when fewer than `limit` admits are counted.
    ///
    /// A `now` older than the newest slot counts in the newest: callers read the clock before
    /// taking the lock, so racing callers may arrive out of order; that only makes the limit
    /// stricter.
    pub fn admit(&mut self, now: u64, limit: u32, window: u64) -> WindowState {
        let length = self.advance(now, window);
        let admitted = self.total < limit;
        if admitted {
            self.counts[ring_index(self.newest)] += 1;
            self.total += 1;
        }
        self.state(admitted, now, length, limit)
    }

    /// The state at `now` without admitting anything.
    pub fn peek(&mut self, now: u64, limit: u32, window: u64) -> WindowState {
        let length = self.advance(now, window);
        self.state(false, now, length, limit)
    }

    /// Whether nothing is counted any more at `now` (the entry can be forgotten).
    pub fn is_idle(&self, now: u64, window: u64) -> bool {
        self.total == 0 || now / slot_length(window) > self.newest + SLOTS
    }

    /// Moves the ring on to `now`'s slot, dropping the counts of slots that left it; returns
    /// the slot length.
    fn advance(&mut self, now: u64, window: u64) -> u64 {
        let length = slot_length(window);
        let slot = now / length;
        if slot > self.newest {
            if slot - self.newest >= RING as u64 {
                *self = Self::default();
            } else {
                for s in self.newest + 1..=slot {
                    let i = ring_index(s);
                    self.total -= self.counts[i];
                    self.counts[i] = 0;
                }
            }
            self.newest = slot;
        }
        length
    }

    fn state(&self, admitted: bool, now: u64, length: u64, limit: u32) -> WindowState {
        // The oldest slot with a count stops counting when the ring moves past it.
        let oldest = (self.newest.saturating_sub(SLOTS)..=self.newest)
            .find(|s| self.counts[ring_index(*s)] > 0);
        WindowState {
            admitted,
            remaining: limit.saturating_sub(self.total),
            reset_micros: oldest.map_or(0, |s| ((s + RING as u64) * length).saturating_sub(now)),
        }
    }
}

/// Length of one slot in microseconds (at least 1).
fn slot_length(window: u64) -> u64 {
    (window / SLOTS).max(1)
}

fn ring_index(slot: u64) -> usize {
    (slot % RING as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 60 s: one-second slots.
    const W: u64 = 60_000_000;
    const SEC: u64 = 1_000_000;

    #[test]
    fn admits_up_to_the_limit_then_refuses_until_the_oldest_slot_leaves() {
        let mut w = SlidingWindow::default();
        for i in 0..3 {
            let s = w.admit(i * SEC, 3, W);
            assert!(s.admitted);
            assert_eq!(s.remaining, 2 - i as u32);
        }
        let s = w.admit(10 * SEC, 3, W);
        assert!(!s.admitted);
        assert_eq!(s.remaining, 0);
        // Slot 0 counts until slot 61 begins.
        assert_eq!(s.reset_micros, 51 * SEC);
        // A whole window after the first admit, its slot still counts: refused.
        assert!(!w.admit(W, 3, W).admitted);
        assert!(!w.admit(61 * SEC - 1, 3, W).admitted);
        // When slot 0 leaves, exactly one request passes.
        assert!(w.admit(61 * SEC, 3, W).admitted);
        assert!(!w.admit(61 * SEC, 3, W).admitted);
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        // Requests every 7 ms for 3 windows, then check every window ending at an admit.
        let (limit, window) = (50u32, SEC);
        let mut w = SlidingWindow::default();
        let mut admitted = Vec::new();
        let mut t = 0;
        while t < 3 * window {
            if w.admit(t, limit, window).admitted {
                admitted.push(t);
            }
            t += 7_000;
        }
        for (i, end) in admitted.iter().enumerate() {
            let inside = admitted[..=i].iter().filter(|a| end - *a < window).count();
            assert!(
                inside <= limit as usize,
                "{inside} admits in the window ending {end}"
            );
        }
        // And not much stricter than needed: about `limit` per window (one slot's worth less).
        assert!(
            admitted.len() >= 3 * (limit as usize - 3),
            "{}",
            admitted.len()
        );
    }

    #[test]
    fn a_burst_at_the_end_of_a_slot_is_not_repeated_a_window_later() {
        // 3 admits just before second 1 ends; a window later (+60 s) they still count.
        let mut w = SlidingWindow::default();
        for _ in 0..3 {
            assert!(w.admit(2 * SEC - 1, 3, W).admitted);
        }
        assert!(!w.admit(2 * SEC - 1 + W, 3, W).admitted);
    }

    #[test]
    fn a_lowered_limit_refuses_until_enough_admits_expire() {
        let mut w = SlidingWindow::default();
        for i in 0..10 {
            assert!(w.admit(i, 100, W).admitted);
        }
        let s = w.admit(20, 5, W);
        assert!(!s.admitted);
        assert_eq!(s.remaining, 0);
    }

    #[test]
    fn out_of_order_times_count_in_the_newest_slot() {
        let mut w = SlidingWindow::default();
        w.admit(5 * SEC, 2, W);
        w.admit(3 * SEC, 2, W);
        assert!(!w.admit(65 * SEC, 2, W).admitted);
        assert!(w.admit(66 * SEC, 2, W).admitted);
    }

    #[test]
    fn idle_once_the_newest_admit_left() {
        let mut w = SlidingWindow::default();
        assert!(w.is_idle(0, W));
        w.admit(5, 1, W);
        assert!(!w.is_idle(60 * SEC, W));
        assert!(w.is_idle(61 * SEC, W));
        assert_eq!(w.peek(61 * SEC, 1, W).remaining, 1);
    }

    #[test]
    fn a_long_pause_clears_the_ring() {
        let mut w = SlidingWindow::default();
        for _ in 0..5 {
            w.admit(0, 5, W);
        }
        let s = w.peek(1_000 * SEC, 5, W);
        assert_eq!((s.remaining, s.reset_micros), (5, 0));
    }
}
