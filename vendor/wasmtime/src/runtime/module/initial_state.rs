//! chatfn patch: modules that share another module's compiled code and
//! start from a different state (a snapshot of an instance's memory and
//! mutable globals), without compiling anything.
//!
//! A snapshot changes a module's data, never its code. Rewriting the module
//! (as Wizer does) and compiling the result gives each snapshot its own copy
//! of the machine code, so a process running many snapshots runs many copies
//! of the same code from cold instruction caches. A module made here shares
//! its base's `EngineCode`; only its memory image, initial memory size and
//! global initializers differ.

use crate::prelude::*;
use crate::runtime::vm::{MmapVec, ModuleMemoryImageSource, ModuleMemoryImages};
use crate::{Module, Val};
use alloc::sync::Arc;
use core::ops::Range;
use std::fs::File;
use wasmtime_environ::{
    CompiledModuleInfo, GlobalConstValue, GlobalIndex, MemoryIndex, MemoryInitialization,
    WasmValType,
};

/// The contents of a module's memory at instantiation, for
/// [`Module::with_initial_state`].
pub enum InitialMemory {
    /// `len` bytes of `file` from `offset`, mapped copy-on-write into every
    /// instance. Both must be multiples of the host page size. The file must
    /// not change while a module made from it lives (replace it by renaming
    /// a new file over it instead).
    File {
        /// The file.
        file: File,
        /// Where the memory's contents start in the file.
        offset: usize,
        /// The contents' length.
        len: usize,
    },
    /// These bytes (padded with zeros to the host page size), copied once
    /// into an anonymous file.
    Bytes(Vec<u8>),
}

/// Where a derived module's memory image comes from.
struct Snapshot {
    mmap: MmapVec,
    data: Range<usize>,
}

impl ModuleMemoryImageSource for Snapshot {
    fn wasm_data(&self) -> &[u8] {
        &self.mmap[self.data.clone()]
    }

    fn mmap(&self) -> Option<&MmapVec> {
        Some(&self.mmap)
    }
}

impl Module {
    /// A module with this module's compiled code whose instances start with
    /// `memory` as the contents of its one defined memory, that memory
    /// `pages` wasm pages long, and the mutable globals in `globals` (by
    /// global index) set to the given values. Nothing is compiled.
    ///
    /// This module must define exactly one memory (unshared, 64 KiB pages)
    /// and import none, must initialize its memory statically (as modules
    /// without `global.get`-based data segments do), and copy-on-write
    /// memory initialization must be enabled, with wasmtime's own memory
    /// creator: the memory image made here replaces this module's data
    /// segments, which are never applied.
    pub fn with_initial_state(
        &self,
        memory: InitialMemory,
        pages: u64,
        globals: &[(u32, Val)],
    ) -> Result<Module> {
        let engine = self.engine();
        if !engine.tunables().memory_init_cow {
            bail!("initial states need copy-on-write memory initialization");
        }
        let base = self.env_module();
        if base.num_imported_memories != 0 || base.num_defined_memories() != 1 {
            bail!("initial states need a module with exactly one memory, defined");
        }
        if !matches!(base.memory_initialization, MemoryInitialization::Static { .. }) {
            bail!("initial states need a module whose memory is initialized statically");
        }
        // A module of a component shares its info section with the others.
        #[cfg(any(feature = "cranelift", feature = "winch"))]
        if !self.inner.serializable {
            bail!("initial states need a core module of its own");
        }
        // The image must be mapped in every instance: an image the memory
        // could not take (a custom page size whose initial size is not a
        // multiple of the host's, a shared memory) would leave the base's
        // data segments to be applied instead.
        let plan = &base.memories[MemoryIndex::from_u32(0)];
        if plan.shared || plan.page_size_log2 != 16 {
            bail!("initial states need an unshared memory with 64 KiB pages");
        }

        // The base module as registered (its types already canonicalized for
        // this engine, matching the shared `EngineCode`), copied.
        let mut env: wasmtime_environ::Module = postcard::from_bytes(&postcard::to_allocvec(&**base)?)?;
        let memory_index = MemoryIndex::from_u32(0);
        let plan = &mut env.memories[memory_index];
        // Only growing the minimum is sound: the shared code may rely on the
        // base's minimum when it elides bounds checks.
        if pages < plan.limits.min {
            bail!("an initial state cannot shrink the memory below its minimum");
        }
        if plan.limits.max.is_some_and(|max| pages > max) {
            bail!("an initial state cannot grow the memory past its maximum");
        }
        plan.limits.min = pages;

        for (index, value) in globals {
            let index = GlobalIndex::from_u32(*index);
            let Some(global) = env.globals.get(index) else {
                bail!("no global {}", index.as_u32());
            };
            if !global.mutability {
                bail!("global {} is immutable", index.as_u32());
            }
            let Some(defined) = env.defined_global_index(index) else {
                bail!("global {} is imported", index.as_u32());
            };
            let value = match (global.wasm_ty, value) {
                (WasmValType::I32, Val::I32(x)) => GlobalConstValue::I32(*x),
                (WasmValType::I64, Val::I64(x)) => GlobalConstValue::I64(*x),
                (WasmValType::F32, Val::F32(x)) => GlobalConstValue::F32(*x),
                (WasmValType::F64, Val::F64(x)) => GlobalConstValue::F64(*x),
                (WasmValType::V128, Val::V128(x)) => GlobalConstValue::V128(x.as_u128()),
                _ => bail!("global {} has another type", index.as_u32()),
            };
            // Only globals the host initializes can be given a value here;
            // others are set by compiled code from their const expression.
            let Some(slot) = env
                .global_initializers
                .iter_mut()
                .find(|(i, _)| *i == defined)
            else {
                bail!("global {} is not initialized by a constant", index.as_u32());
            };
            slot.1 = value;
        }

        let page_size = crate::runtime::vm::host_page_size();
        let source = match memory {
            InitialMemory::File { file, offset, len } => {
                if offset % page_size != 0 || len % page_size != 0 {
                    bail!("an initial memory's offset and length must be page-aligned");
                }
                let mmap = MmapVec::from_file(file)?;
                let end = offset
                    .checked_add(len)
                    .filter(|end| *end <= mmap.len())
                    .ok_or_else(|| format_err!("the initial memory extends past its file"))?;
                Snapshot {
                    mmap,
                    data: offset..end,
                }
            }
            InitialMemory::Bytes(mut bytes) => {
                bytes.resize(bytes.len().next_multiple_of(page_size), 0);
                Snapshot {
                    data: 0..bytes.len(),
                    mmap: MmapVec::from_slice(&bytes)?,
                }
            }
        };
        let memory_bytes = env.memories[memory_index]
            .minimum_byte_size()
            .unwrap_or(u64::MAX);
        if u64::try_from(source.data.len()).unwrap_or(u64::MAX) > memory_bytes {
            bail!("the initial memory is larger than its {pages} pages");
        }
        if source.data.is_empty() {
            bail!("an initial memory cannot be empty");
        }

        let (mut info, _rest): (CompiledModuleInfo, _) =
            postcard::take_from_bytes(self.inner.code.wasmtime_info())?;
        info.module = env;
        let derived = Module::from_parts_raw(
            engine,
            self.inner.code.clone(),
            info,
            self.index().clone(),
            false,
        )?;
        let source = try_new::<Arc<_>>(source)?;
        let images = ModuleMemoryImages::for_initial_state(engine, &source)?;
        if images.is_none() {
            bail!("the initial memory could not be made a copy-on-write image");
        }
        // A new module's images are not made yet, so these become them.
        derived
            .inner
            .memory_images
            .get_or_try_init(|| Ok::<_, Error>(images))?;
        Ok(derived)
    }
}
