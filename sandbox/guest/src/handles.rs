//! Numbered slots for native state a JS object holds by number (a zlib
//! stream's codec, a cipher): freed slots are reused, so a long-lived
//! instance does not grow with every stream it opens.

/// The slots; one `thread_local!` table per kind of state.
pub(crate) struct Handles<T>(Vec<Option<T>>);

impl<T> Handles<T> {
    pub(crate) const fn new() -> Handles<T> {
        Handles(Vec::new())
    }

    /// Stores `value` in the first free slot; returns its number.
    pub(crate) fn insert(&mut self, value: T) -> u32 {
        let slot = match self.0.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.0.push(None);
                self.0.len() - 1
            }
        };
        self.0[slot] = Some(value);
        slot as u32
    }

    pub(crate) fn get_mut(&mut self, handle: u32) -> Option<&mut T> {
        self.0.get_mut(handle as usize).and_then(Option::as_mut)
    }

    /// Empties `handle`'s slot, returning what it held.
    pub(crate) fn take(&mut self, handle: u32) -> Option<T> {
        self.0.get_mut(handle as usize).and_then(Option::take)
    }
}
