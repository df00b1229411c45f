//! The ICU4X data the guest carries: a baked provider for the locales and
//! data markers listed in `scripts/gen-intl-data.sh`, which generates
//! `data/`.

#![allow(
    unused_imports,
    unused_macros,
    dead_code,
    clippy::all,
    reason = "generated code (data/)"
)]

extern crate alloc;
// The generated code finds the locale fallback here: ICU4X's compiled
// fallback data (likely subtags and parent locales, a few KB).
use icu::locale::fallback as icu_locale_fallback;

include!("data/mod.rs");

/// The baked data provider (`data/` implements `DataProvider` on it).
pub(crate) struct Baked;
impl_data_provider!(Baked);
