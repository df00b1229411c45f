//! Invocation ids: reserved from the database a block at a time, the next
//! block ahead of need.
//!
//! Reserving a block is a database write. Under SQLite it waits for the
//! write lock, which the invocation log's group commits hold much of the
//! time under load, and SQLite's busy handler polls for that lock with
//! sleeps of up to 100 ms; every invocation that found the block used up
//! waited with it. In `scripts/bench-many`'s open-loop lines (1,000
//! requests/s, a third of this machine's capacity) that showed as stalls
//! of 0.1–0.9 s every few seconds. So the next block is reserved in the
//! background once half of the current one is used: an invocation waits
//! for the database only on a node's first invocation, or when ids run out
//! faster than a reservation takes.
//!
//! One reservation runs at a time, so a node's ids increase in the order
//! it hands them out (the queue starts a node's jobs in that order); two
//! nodes' ids interleave by block.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::{Store, StoreResult, blocking};

/// Ids reserved at a time: one write per block; a restart leaves a gap of
/// at most two blocks.
const BLOCK: u32 = 1024;

/// This node's source of invocation ids.
pub(crate) struct InvocationIds {
    store: Arc<dyn Store>,
    state: Arc<Mutex<State>>,
    /// Held while a block is reserved: one reservation at a time.
    turn: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Default)]
struct State {
    /// The unused rest of the block in use.
    current: Range<i64>,
    /// The block reserved ahead.
    next: Option<Range<i64>>,
    /// A reservation ahead is under way.
    reserving: bool,
}

impl State {
    /// The next id, and whether to start reserving the next block now.
    fn take(&mut self) -> (Option<i64>, bool) {
        if self.current.is_empty()
            && let Some(next) = self.next.take()
        {
            self.current = next;
        }
        let id = self.current.next();
        let left = self.current.end - self.current.start;
        let ahead =
            id.is_some() && self.next.is_none() && !self.reserving && left <= i64::from(BLOCK / 2);
        if ahead {
            self.reserving = true;
        }
        (id, ahead)
    }

    /// Keeps a newly reserved block: in use if the current one is spent,
    /// else as the next.
    fn add(&mut self, block: Range<i64>) {
        if self.current.is_empty() {
            self.current = block;
        } else {
            self.next = Some(block);
        }
    }

    fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
        state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl InvocationIds {
    pub(crate) fn new(store: Arc<dyn Store>) -> InvocationIds {
        InvocationIds {
            store,
            state: Arc::default(),
            turn: Arc::default(),
        }
    }

    /// A new invocation id. Call it from within the tokio runtime: the
    /// reservation ahead runs as a task of its own.
    pub(crate) async fn next(&self) -> StoreResult<i64> {
        loop {
            if let Some(id) = self.take() {
                return Ok(id);
            }
            // Nothing left: wait for the reservation ahead, if one is
            // under way, else reserve now.
            let _turn = self.turn.lock().await;
            if let Some(id) = self.take() {
                return Ok(id);
            }
            let block = blocking(&self.store, |s| s.allocate_invocation_ids(BLOCK)).await?;
            State::lock(&self.state).add(block);
        }
    }

    fn take(&self) -> Option<i64> {
        let (id, ahead) = State::lock(&self.state).take();
        if ahead {
            self.reserve_ahead();
        }
        id
    }

    fn reserve_ahead(&self) {
        let store = Arc::clone(&self.store);
        let state = Arc::clone(&self.state);
        let turn = Arc::clone(&self.turn);
        tokio::spawn(async move {
            let _turn = turn.lock().await;
            let reserved = blocking(&store, |s| s.allocate_invocation_ids(BLOCK)).await;
            let mut state = State::lock(&state);
            state.reserving = false;
            match reserved {
                Ok(block) => state.add(block),
                // The next invocation that finds the ids spent reserves
                // them itself, and reports the error if it persists.
                Err(e) => tracing::warn!("reserving invocation ids ahead failed: {e}"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::store::SqliteStore;

    #[tokio::test]
    async fn ids_are_unique_and_the_next_block_is_reserved_before_it_is_needed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).expect("a store"));
        let ids = InvocationIds::new(Arc::clone(&store));
        let mut seen = HashSet::new();
        for _ in 0..BLOCK / 2 + 1 {
            assert!(seen.insert(ids.next().await.expect("an id")));
        }
        // Past half of the first block: the next is reserved in the
        // background, without waiting for another call.
        for _ in 0..200 {
            if State::lock(&ids.state).next.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let ahead = State::lock(&ids.state)
            .next
            .clone()
            .expect("a block reserved ahead");
        assert_eq!(ahead.end - ahead.start, i64::from(BLOCK));
        // In the order handed out, even while blocks are reserved ahead.
        let mut last = *seen.iter().max().expect("ids");
        for _ in 0..3 * BLOCK {
            let id = ids.next().await.expect("an id");
            assert!(id > last, "{id} after {last}");
            last = id;
            assert!(seen.insert(id));
        }
        // Another node (or a restart) reserves from the same sequence and
        // never hands out an id this one did.
        let other = InvocationIds::new(store);
        for _ in 0..BLOCK {
            assert!(!seen.contains(&other.next().await.expect("an id")));
        }
    }
}
