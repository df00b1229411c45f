//! Run slots of one kind (blocking triggers, or test runs): a budget for
//! the node and a cap per application, so one tenant holding its cap
//! leaves the rest of the budget to the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::Error;

pub(crate) struct Slots {
    /// What the slots run, for errors ("blocking triggers").
    runs: &'static str,
    all: Arc<Semaphore>,
    per_app: usize,
    /// Each application's own semaphore, while any of its runs holds or
    /// waits for a slot.
    apps: Mutex<HashMap<i64, Arc<Semaphore>>>,
}

/// A slot held for one run.
pub(crate) struct Slot<'a> {
    slots: &'a Slots,
    app: i64,
    permits: Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)>,
}

impl Slots {
    pub(crate) fn new(runs: &'static str, all: usize, per_app: usize) -> Slots {
        Slots {
            runs,
            all: Arc::new(Semaphore::new(all.max(1))),
            per_app: per_app.max(1),
            apps: Mutex::default(),
        }
    }

    fn apps(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Semaphore>>> {
        self.apps.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a run of `app`, waiting at most `wait`: first within the
    /// application's cap, then within the node's budget, so a waiting
    /// tenant at its cap holds none of the budget. Refused with
    /// [`Error::AppAtCap`] (the application's own runs took its cap) or
    /// [`Error::Saturated`] (the node's budget stayed taken).
    pub(crate) async fn acquire(&self, app: i64, wait: Duration) -> Result<Slot<'_>, Error> {
        let deadline = Instant::now() + wait;
        let own = Arc::clone(
            self.apps()
                .entry(app)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_app))),
        );
        // From here on, dropping `slot` tidies the map whatever happens.
        let mut slot = Slot {
            slots: self,
            app,
            permits: None,
        };
        let Ok(Ok(app_permit)) = tokio::time::timeout_at(deadline, own.acquire_owned()).await
        else {
            return Err(Error::AppAtCap {
                runs: self.runs,
                cap: self.per_app,
            });
        };
        let Ok(Ok(permit)) =
            tokio::time::timeout_at(deadline, Arc::clone(&self.all).acquire_owned()).await
        else {
            drop(app_permit);
            return Err(Error::Saturated);
        };
        slot.permits = Some((app_permit, permit));
        Ok(slot)
    }

    /// Applications with an entry (for tests: entries go once unused).
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.apps().len()
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut apps = self.slots.apps();
        // Permits (and their hold on the semaphore) go first, under the
        // lock: an entry nobody else holds is then unused.
        self.permits = None;
        if apps
            .get(&self.app)
            .is_some_and(|own| Arc::strong_count(own) == 1)
        {
            apps.remove(&self.app);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_WAIT: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn a_tenant_at_its_cap_leaves_the_rest_to_others() {
        let slots = Slots::new("runs", 3, 2);
        let a1 = slots.acquire(1, NO_WAIT).await.expect("a slot");
        let a2 = slots.acquire(1, NO_WAIT).await.expect("a slot");
        assert!(matches!(
            slots.acquire(1, NO_WAIT).await.err(),
            Some(Error::AppAtCap { cap: 2, .. })
        ));
        let b1 = slots
            .acquire(2, NO_WAIT)
            .await
            .expect("another tenant runs");
        // The node's budget is spent: now everyone waits.
        assert!(matches!(
            slots.acquire(3, NO_WAIT).await.err(),
            Some(Error::Saturated)
        ));
        drop(a1);
        let c1 = slots.acquire(3, NO_WAIT).await.expect("a freed slot");
        drop((a2, b1, c1));
        assert_eq!(slots.tracked(), 0, "unused entries are dropped");
    }

    #[tokio::test]
    async fn a_waiting_run_gets_the_next_free_slot() {
        let slots = Arc::new(Slots::new("runs", 1, 1));
        let held = slots.acquire(1, NO_WAIT).await.expect("a slot");
        let waiting = {
            let slots = Arc::clone(&slots);
            tokio::spawn(async move { slots.acquire(1, Duration::from_secs(5)).await.is_ok() })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(held);
        assert!(waiting.await.expect("joined"));
        assert_eq!(slots.tracked(), 0);
    }
}
