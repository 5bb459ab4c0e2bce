//! An exact sliding window: the admit times of one API key within the last window.
//!
//! A token bucket (or GCRA) with a burst of N lets up to 2N requests through in some windows
//! (a full burst, then the refill). The issue asks for "at most N in *any* rolling window", so
//! this keeps the log of admit times instead: a request is admitted only when fewer than N
//! admits lie in the window ending now, hence no window of that length ever holds more than N.
//! The log holds at most N entries (8 bytes each) and each admit costs amortised O(1).

use std::collections::VecDeque;

/// Admit times (microseconds on the limiter's clock), oldest first.
#[derive(Debug, Default)]
pub struct SlidingWindow {
    admits: VecDeque<u64>,
}

/// The window's state after a decision, as the rate-limit headers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    /// Whether the request was admitted (and counted).
    pub admitted: bool,
    /// Requests still allowed in the window ending now.
    pub remaining: u32,
    /// Microseconds until the oldest counted admit leaves the window (and one more request
    /// would pass); 0 when nothing is counted.
    pub reset_micros: u64,
}

impl SlidingWindow {
    /// Admits a request at `now` when fewer than `limit` admits lie in `(now - window, now]`.
    ///
    /// `now` is clamped to the newest admit: callers read the clock before taking the lock, so
    /// two racing callers may arrive out of order; recording the later time keeps the log
    /// sorted and only ever makes the limit stricter.
    pub fn admit(&mut self, now: u64, limit: u32, window: u64) -> WindowState {
        let now = now.max(self.admits.back().copied().unwrap_or(0));
        self.expire(now, window);
        let admitted = self.admits.len() < limit as usize;
        if admitted {
            self.admits.push_back(now);
        }
        self.state(admitted, now, limit, window)
    }

    /// The state at `now` without admitting anything.
    pub fn peek(&mut self, now: u64, limit: u32, window: u64) -> WindowState {
        let now = now.max(self.admits.back().copied().unwrap_or(0));
        self.expire(now, window);
        self.state(false, now, limit, window)
    }

    /// Whether nothing is counted any more at `now` (the entry can be forgotten).
    pub fn is_idle(&self, now: u64, window: u64) -> bool {
        self.admits
            .back()
            .is_none_or(|last| now.saturating_sub(*last) >= window)
    }

    fn expire(&mut self, now: u64, window: u64) {
        while self
            .admits
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= window)
        {
            self.admits.pop_front();
        }
        // A limit lowered from a high value must not keep a large buffer alive.
        if self.admits.capacity() > 64 && self.admits.len() < self.admits.capacity() / 4 {
            self.admits.shrink_to(self.admits.len() * 2);
        }
    }

    fn state(&self, admitted: bool, now: u64, limit: u32, window: u64) -> WindowState {
        let counted = u32::try_from(self.admits.len()).unwrap_or(u32::MAX);
        WindowState {
            admitted,
            remaining: limit.saturating_sub(counted),
            reset_micros: self
                .admits
                .front()
                .map_or(0, |oldest| (oldest + window).saturating_sub(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = 60_000_000;

    #[test]
    fn admits_up_to_the_limit_then_refuses_until_the_oldest_leaves() {
        let mut w = SlidingWindow::default();
        for i in 0..3 {
            let s = w.admit(i * 1_000_000, 3, W);
            assert!(s.admitted);
            assert_eq!(s.remaining, 2 - i as u32);
        }
        let s = w.admit(10_000_000, 3, W);
        assert!(!s.admitted);
        assert_eq!(s.remaining, 0);
        assert_eq!(s.reset_micros, 50_000_000);
        // One microsecond before the first admit leaves: still refused.
        assert!(!w.admit(W - 1, 3, W).admitted);
        // When it leaves, exactly one slot frees up.
        assert!(w.admit(W, 3, W).admitted);
        assert!(!w.admit(W, 3, W).admitted);
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        // Requests every 7 ms for 3 windows, then check every window ending at an admit.
        let (limit, window) = (50u32, 1_000_000u64);
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
        // And the limiter is not stricter than needed: about `limit` per window.
        assert!(admitted.len() >= 3 * limit as usize, "{}", admitted.len());
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
    fn out_of_order_times_keep_the_log_sorted() {
        let mut w = SlidingWindow::default();
        w.admit(1_000, 2, W);
        w.admit(500, 2, W);
        assert!(!w.admit(W + 999, 2, W).admitted);
        assert!(w.admit(W + 1_000, 2, W).admitted);
    }

    #[test]
    fn idle_once_the_newest_admit_left() {
        let mut w = SlidingWindow::default();
        assert!(w.is_idle(0, W));
        w.admit(5, 1, W);
        assert!(!w.is_idle(W + 4, W));
        assert!(w.is_idle(W + 5, W));
        assert_eq!(w.peek(W + 5, 1, W).remaining, 1);
    }
}
