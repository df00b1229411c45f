//! Formatted text with its parts, as ICU4X's `Writeable`s report them, for
//! the `formatToParts` methods.

use writeable::{Part, PartsWrite, TryWriteable, Writeable};

/// A formatted string and the parts ICU4X marked in it (byte ranges, in the
/// order their ends were written: nested parts before the parts around them).
#[derive(Default)]
pub(crate) struct Parts {
    pub(crate) text: String,
    pub(crate) marks: Vec<(usize, usize, Part)>,
}

impl Parts {
    pub(crate) fn of(w: &impl Writeable) -> Parts {
        let mut parts = Parts::default();
        // Writing to a String cannot fail; a failing Writeable leaves what
        // it wrote.
        let _ = w.write_to_parts(&mut parts);
        parts
    }

    /// Like `of`, for output that reports missing data; it is written
    /// with ICU4X's replacement text all the same.
    pub(crate) fn of_try(w: &impl TryWriteable) -> Parts {
        let mut parts = Parts::default();
        let _ = w.try_write_to_parts(&mut parts);
        parts
    }
}

impl core::fmt::Write for Parts {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

impl PartsWrite for Parts {
    type SubPartsWrite = Parts;
    fn with_part(
        &mut self,
        part: Part,
        mut f: impl FnMut(&mut Self::SubPartsWrite) -> core::fmt::Result,
    ) -> core::fmt::Result {
        let start = self.text.len();
        f(self)?;
        self.marks.push((start, self.text.len(), part));
        Ok(())
    }
}
