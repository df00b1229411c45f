//! A queue served round-robin over tenants: each tenant's items in their
//! order, one tenant's item after another's. Long guests' turns, builds
//! and bakes are shared this way, so a tenant with many waiting gets no
//! more than one with a few.

use std::collections::VecDeque;

pub(crate) struct TenantQueue<T> {
    /// Tenants with waiting items, in serving order; a line leaves when
    /// empty and joins at the back when it has items again.
    lines: VecDeque<Line<T>>,
}

struct Line<T> {
    tenant: u64,
    items: VecDeque<T>,
}

impl<T> Default for TenantQueue<T> {
    fn default() -> Self {
        TenantQueue {
            lines: VecDeque::new(),
        }
    }
}

impl<T> TenantQueue<T> {
    pub(crate) fn push(&mut self, tenant: u64, item: T) {
        match self.lines.iter_mut().find(|l| l.tenant == tenant) {
            Some(line) => line.items.push_back(item),
            None => self.lines.push_back(Line {
                tenant,
                items: VecDeque::from([item]),
            }),
        }
    }

    /// The next tenant's first item; that tenant goes to the back.
    pub(crate) fn pop(&mut self) -> Option<T> {
        let mut line = self.lines.pop_front()?;
        let item = line.items.pop_front();
        if !line.items.is_empty() {
            self.lines.push_back(line);
        }
        item
    }

    /// Removes `tenant`'s items that `gone` matches.
    pub(crate) fn remove(&mut self, tenant: u64, gone: impl Fn(&T) -> bool) {
        if let Some(at) = self.lines.iter().position(|l| l.tenant == tenant) {
            self.lines[at].items.retain(|item| !gone(item));
            if self.lines[at].items.is_empty() {
                self.lines.remove(at);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_take_turns_and_keep_their_own_order() {
        let mut queue = TenantQueue::default();
        for (tenant, item) in [
            (1, "a1"),
            (1, "a2"),
            (1, "a3"),
            (2, "b1"),
            (3, "c1"),
            (2, "b2"),
        ] {
            queue.push(tenant, item);
        }
        let mut served = Vec::new();
        while let Some(item) = queue.pop() {
            served.push(item);
        }
        assert_eq!(served, ["a1", "b1", "c1", "a2", "b2", "a3"]);
        assert!(queue.is_empty());
    }

    #[test]
    fn removing_a_tenants_last_item_takes_it_out_of_the_rotation() {
        let mut queue = TenantQueue::default();
        queue.push(1, 10);
        queue.push(2, 20);
        queue.remove(1, |item| *item == 10);
        assert_eq!(queue.pop(), Some(20));
        assert_eq!(queue.pop(), None);
    }
}
