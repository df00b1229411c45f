#!/usr/bin/env bash
# Regenerates the guest's Intl data (sandbox/guest/src/intl/data/): ICU4X
# baked data trimmed to the locales and data markers the guest uses.
#
# The source is ICU4X's own compiled data (the `icu_*_data` crates of
# ICU_VERSION, which must be the `icu` version in sandbox/guest/Cargo.lock:
# CLDR 49 as ICU4X 2.4 ships it). icu4x-datagen reads CLDR JSON, ICU's
# icuexport and tzdb sources, downloaded from GitHub and IANA, which this
# environment cannot reach (and CLDR JSON alone, which npm has, would not
# cover collation and segmentation). So a small exporter crate, written to
# a temp dir, reads the compiled data through its iterable baked providers
# and writes a baked module with icu_provider_export (the library behind
# icu4x-datagen), keeping only LOCALES and the markers below. The output
# is deterministic: rerunning it leaves the tree unchanged.
#
# Usage: scripts/gen-intl-data.sh   (needs crates.io and python3; ~2 min;
# INTL_DATAGEN_DIR=DIR keeps the exporter crate in DIR between runs)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/sandbox/guest/src/intl/data"
if [ -n "${INTL_DATAGEN_DIR:-}" ]; then
  work="$INTL_DATAGEN_DIR"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

# The locale set (documented in sandbox/guest/src/prelude/intl.js). Each
# comes with its ancestors (en-GB brings en-001); `und` is the root.
LOCALES="en en-GB es fr de it pt pt-BR nl ja zh ko ru ar hi"
ICU_VERSION="2.4.0"
EXPERIMENTAL_VERSION="0.7.0"

# Data markers by the compiled-data file they live in (the guest uses these;
# other calendars, display names, LSTM/dictionary word breaking are left out).
MARKERS='
datetime: datetime_names_dayperiod_v1 datetime_names_month_gregorian_v1 datetime_names_weekday_v1
  datetime_names_year_gregorian_v1 datetime_patterns_date_gregorian_v1 datetime_patterns_glue_v1
  datetime_patterns_time_v1 datetime_patterns_range_date_gregorian_v1 datetime_patterns_range_glue_v1
  datetime_patterns_range_time_v1 timezone_names_cities_override_v1 timezone_names_cities_root_v1
  timezone_names_essentials_v1 timezone_names_generic_long_v1 timezone_names_generic_short_v1
  timezone_names_locations_override_v1 timezone_names_locations_root_v1 timezone_names_specific_long_v1
  timezone_names_specific_short_v1 timezone_names_standard_long_v1
decimal: decimal_compact_long_v1 decimal_compact_short_v1 decimal_digits_v1 decimal_symbols_v1
plurals: plurals_cardinal_v1 plurals_ordinal_v1 plurals_ranges_v1
list: list_and_v1 list_or_v1 list_unit_v1
collator: collation_diacritics_v1 collation_jamo_v1 collation_metadata_v1 collation_reordering_v1
  collation_root_v1 collation_special_primaries_v1 collation_tailoring_v1
segmenter: segmenter_break_grapheme_cluster_v1 segmenter_break_grapheme_cluster_v2
  segmenter_break_sentence_override_v1 segmenter_break_sentence_override_v2 segmenter_break_sentence_v1
  segmenter_break_sentence_v2 segmenter_break_word_override_v1 segmenter_break_word_v1 segmenter_break_word_v2
normalizer: normalizer_nfd_data_v1 normalizer_nfd_tables_v1
locale: locale_aliases_v1 locale_likely_subtags_extended_v1 locale_likely_subtags_script_region_v1
locale_fallback: locale_likely_subtags_language_v1 locale_parents_v1
time: timezone_identifiers_iana_core_v1 timezone_identifiers_iana_extended_v1 timezone_periods_v1
calendar: calendar_japanese_modern_v1 calendar_preferred_v1 calendar_week_v1
experimental: currency_essentials_v1 currency_extended_data_v1 currency_fractions_v1 currency_patterns_data_v1
  currency_symbols_v1 currency_patterns_no_currency_v1 currency_decimal_symbols_v1
  decimal_percent_v1 units_essentials_v1 units_id_v1 units_info_v1
  datetime_relative_second_long_v1 datetime_relative_second_short_v1 datetime_relative_second_narrow_v1
  datetime_relative_minute_long_v1 datetime_relative_minute_short_v1 datetime_relative_minute_narrow_v1
  datetime_relative_hour_long_v1 datetime_relative_hour_short_v1 datetime_relative_hour_narrow_v1
  datetime_relative_day_long_v1 datetime_relative_day_short_v1 datetime_relative_day_narrow_v1
  datetime_relative_week_long_v1 datetime_relative_week_short_v1 datetime_relative_week_narrow_v1
  datetime_relative_month_long_v1 datetime_relative_month_short_v1 datetime_relative_month_narrow_v1
  datetime_relative_quarter_long_v1 datetime_relative_quarter_short_v1 datetime_relative_quarter_narrow_v1
  datetime_relative_year_long_v1 datetime_relative_year_short_v1 datetime_relative_year_narrow_v1
'

mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "intl-datagen"
version = "0.1.0"
edition = "2024"
publish = false
[workspace]
[dependencies]
icu = { version = "=$ICU_VERSION", features = ["datagen", "unstable"] }
icu_provider = { version = "=$ICU_VERSION", features = ["export", "baked"] }
icu_provider_export = { version = "=$ICU_VERSION", default-features = false, features = ["baked_exporter"] }
icu_pattern = "0.5"
zerotrie = "0.2"
zerovec = "0.11"
TOML
for crate in datetime decimal plurals list collator segmenter normalizer locale locale_fallback time calendar; do
  echo "icu_${crate}_data = \"=$ICU_VERSION\"" >> "$work/Cargo.toml"
done
echo "icu_experimental_data = \"=$EXPERIMENTAL_VERSION\"" >> "$work/Cargo.toml"
echo "fn main() {}" > "$work/src/main.rs"
(cd "$work" && cargo fetch -q)

# main.rs: the compiled data as one iterable provider, exported for LOCALES.
registry_src() { (cd "$work" && cargo metadata --format-version 1 -q) | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["name"] == sys.argv[1]:
        print(p["manifest_path"].rsplit("/", 1)[0]); break' "$1"; }
python3 - "$work/src/main.rs" "$LOCALES" "$MARKERS" <<'PY' $(for c in datetime decimal plurals list collator segmenter normalizer locale locale_fallback time calendar experimental; do registry_src "icu_${c}_data"; done)
import re, sys
out, locales, spec, *dirs = sys.argv[1:]
crates = {}
for d in dirs:
    crates[re.search(r'icu_(\w+?)_data-', d).group(1)] = d
macros, types = [], []
for line in re.split(r'\n(?=\w+:)', spec.strip()):
    crate, names = line.split(':', 1)
    for name in names.split():
        text = open(f'{crates[crate]}/data/{name}.rs.data').read()
        ty = re.search(r'impl icu_provider::DataProvider<([\w:]+)> for \$provider', text).group(1)
        if 'BtreeSet' in text:
            # The ITER arm of singleton markers misspells BTreeSet (ICU4X
            # 2.4): implement the one-id iteration here instead.
            macros.append(f'    icu_{crate}_data::impl_{name}!(Source);')
            macros.append(f'    impl icu_provider::IterableDataProvider<{ty}> for Source {{ fn iter_ids(&self) -> '
                          f'Result<std::collections::BTreeSet<DataIdentifierCow<\'static>>, DataError> '
                          f'{{ Ok([Default::default()].into_iter().collect()) }} }}')
        else:
            macros.append(f'    icu_{crate}_data::impl_{name}!(Source, ITER);')
        types.append(ty)
imports = '\n'.join(f'use icu_{c}_data::*;' for c in crates)
src = f'''// @generated by scripts/gen-intl-data.sh
#![allow(unused_imports, ambiguous_glob_imports)]
extern crate alloc;
use icu::locale::fallback as icu_locale_fallback;
use icu_provider::prelude::*;
use icu_provider_export::prelude::*;

pub struct Source;
const _: () = {{
{imports}
    icu_datetime_data::make_provider!(Source);
{chr(10).join(macros)}
    icu_provider::export::make_exportable_provider!(Source, [
        {(','+chr(10)+'        ').join(types)},
    ]);
}};

fn main() {{
    let out = std::env::args().nth(1).expect("output dir");
    let locales = {[l for l in locales.split()]!r}.iter().map(|l| {{
        DataLocaleFamily::without_descendants(l.parse().expect("locale"))
    }});
    let fallbacker = icu::locale::fallback::LocaleFallbacker::try_new_unstable(&Source).expect("fallback data");
    ExportDriver::new(locales.chain([DataLocaleFamily::without_descendants(Default::default())]),
        DeduplicationStrategy::Maximal.into(), fallbacker)
        .with_markers([{', '.join(f'<{t} as DataMarker>::INFO' for t in types)}])
        .with_segmenter_models([])
        // Default collations only: no pinyin-alternatives, phonebook,
        // traditional Spanish, emoji or search tailorings.
        .with_marker_attributes_filter("collator", |attr| !matches!(attr.as_str(),
            "compat" | "phonebk" | "trad" | "unihan" | "zhuyin" | "stroke" | "emoji" | "eor"
                | "search" | "searchjl" | "big5han" | "gb2312"))
        .export(&Source, icu_provider_export::baked_exporter::BakedExporter::new(out.into(), {{
            let mut options = icu_provider_export::baked_exporter::Options::default();
            options.overwrite = true;
            options.use_internal_fallback = true;
            options
        }}).expect("exporter"))
        .expect("export");
}}
'''
src = src.replace("['", '["').replace("']", '"]').replace("', '", '", "')
open(out, 'w').write(src)
PY
(cd "$work" && cargo run --release -q -- "$out")
echo "wrote $out"
