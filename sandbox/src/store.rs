//! Per-store host state and the `chatfn` imports that read and write it.
//!
//! Imports never block and never await: a host call is only *recorded* here
//! (after the budget checks); the invocation loop performs it between guest
//! calls. That keeps every import a plain synchronous function.

use std::sync::Arc;
use std::time::Instant;

use serde_json::value::RawValue;
use wasmtime::{Caller, Linker, Memory, ResourceLimiter};

use crate::abi;
use crate::cpu::CpuAccount;
use crate::host_call::MAX_HOST_CALLS;
use crate::outcome::{LogEntry, LogLevel};
use crate::{HostCall, HostCalls, Limits};

/// Host state of one store (one instance: an image build or an invocation).
pub(crate) struct StoreData {
    pub(crate) limiter: MemoryLimiter,
    /// The instance's memory, set right after instantiation.
    pub(crate) memory: Option<Memory>,
    /// Bytes staged for the guest's next `input_read`.
    pub(crate) input: Vec<u8>,
    pub(crate) logs: Vec<LogEntry>,
    log_bytes: usize,
    max_log_bytes: usize,
    logs_truncated: bool,
    /// Host calls the guest started and the host has not yet picked up.
    pub(crate) new_calls: Vec<(u32, HostCall)>,
    pub(crate) calls_started: u32,
    /// The calls that count toward `max_calls` (see `HostCalls::metered`).
    metered_calls: u32,
    /// The invocation's host calls, asked which calls are metered.
    pub(crate) host: Option<Arc<dyn HostCalls>>,
    calls_allowed: bool,
    max_calls: u32,
    max_call_bytes: usize,
    /// `(kind, payload)` from the guest's `finish`.
    pub(crate) finish: Option<(u32, Vec<u8>)>,
    max_result_bytes: usize,
    /// What the guest wrote to stdout/stderr (Rust panic messages), bounded.
    pub(crate) stderr: Vec<u8>,
    /// The epoch callback interrupts the guest past this instant.
    pub(crate) deadline: Instant,
    /// The image's module map, read by the guest's `require`.
    pub(crate) modules: Arc<ModuleMap>,
    /// An invocation's CPU meter, budget and turn (none while building
    /// images or instances ahead of time).
    pub(crate) cpu: Option<CpuAccount>,
}

/// What a handler load changes in a store, to put back after it.
pub(crate) struct SavedForLoad {
    input: Vec<u8>,
    calls_allowed: bool,
    max_result_bytes: usize,
}

/// Largest compiled handler (see `abi::EXPORT_LOAD`) an image keeps; a
/// larger one is loaded from source each time.
pub(crate) const MAX_COMPILED_HANDLER_BYTES: usize = 8 << 20;

/// Absolute path (`/node_modules/x/index.js`) to source text.
pub(crate) type ModuleMap = std::collections::BTreeMap<String, String>;

pub(crate) const MAX_STDERR_BYTES: usize = 4096;

/// What a console entry costs against the log budget besides its text: its
/// level and its place in memory and in the stored record. Without it,
/// `for (;;) console.log('')` would keep a million empty entries.
pub(crate) const LOG_ENTRY_OVERHEAD: usize = 32;

/// Largest error report kept from the guest; beyond it the error is replaced
/// by a short one (a huge message must not become a huge record).
pub(crate) const MAX_ERROR_REPORT_BYTES: usize = 64 << 10;

impl StoreData {
    /// State for an invocation under `limits`.
    pub(crate) fn for_invocation(
        limits: &Limits,
        input: Vec<u8>,
        modules: Arc<ModuleMap>,
    ) -> StoreData {
        StoreData {
            limiter: MemoryLimiter::new(limits.memory_bytes),
            memory: None,
            input,
            logs: Vec::new(),
            log_bytes: 0,
            max_log_bytes: limits.max_log_bytes,
            logs_truncated: false,
            new_calls: Vec::new(),
            calls_started: 0,
            metered_calls: 0,
            host: None,
            calls_allowed: true,
            max_calls: limits.max_host_calls,
            max_call_bytes: limits.max_host_call_bytes,
            finish: None,
            max_result_bytes: limits.max_result_bytes,
            stderr: Vec::new(),
            deadline: Instant::now() + limits.timeout,
            modules,
            cpu: None,
        }
    }

    /// State for an instance made ahead of its invocation (a warm pool's):
    /// no host calls and the engine's memory ceiling until
    /// [`StoreData::arm`] gives it an invocation's limits.
    pub(crate) fn for_pool(
        max_memory_bytes: usize,
        deadline: Instant,
        modules: Arc<ModuleMap>,
    ) -> StoreData {
        let mut data = StoreData::for_init(max_memory_bytes, deadline, Vec::new(), modules);
        data.max_log_bytes = usize::MAX;
        data
    }

    /// Turns a pooled store into an invocation's: its limits, its input,
    /// and a clean slate for what loading a handler may have left.
    pub(crate) fn arm(&mut self, limits: &Limits, input: Vec<u8>) {
        self.limiter = MemoryLimiter::new(limits.memory_bytes);
        self.input = input;
        self.logs.clear();
        self.log_bytes = 0;
        self.max_log_bytes = limits.max_log_bytes;
        self.logs_truncated = false;
        self.new_calls.clear();
        self.calls_started = 0;
        self.metered_calls = 0;
        self.host = None;
        self.calls_allowed = true;
        self.max_calls = limits.max_host_calls;
        self.max_call_bytes = limits.max_host_call_bytes;
        self.finish = None;
        self.max_result_bytes = limits.max_result_bytes;
        self.stderr.clear();
        self.deadline = Instant::now() + limits.timeout;
    }

    /// Stages a late-bound handler for the guest's load, with host calls
    /// unavailable as at build time; returns what [`StoreData::end_load`]
    /// restores.
    pub(crate) fn begin_load(&mut self, handler: Vec<u8>) -> SavedForLoad {
        SavedForLoad {
            input: std::mem::replace(&mut self.input, handler),
            calls_allowed: std::mem::replace(&mut self.calls_allowed, false),
            max_result_bytes: std::mem::replace(
                &mut self.max_result_bytes,
                MAX_COMPILED_HANDLER_BYTES,
            ),
        }
    }

    /// After a load: restores what [`StoreData::begin_load`] saved and
    /// returns the load's console output (dropped from the invocation's, as
    /// a baked image's build-time output is).
    pub(crate) fn end_load(&mut self, saved: SavedForLoad) -> Vec<LogEntry> {
        self.calls_allowed = saved.calls_allowed;
        self.input = saved.input;
        self.max_result_bytes = saved.max_result_bytes;
        self.log_bytes = 0;
        self.logs_truncated = false;
        std::mem::take(&mut self.logs)
    }

    /// Lets go of what belonged to the invocation once its outcome has
    /// been taken out: its host calls (and so the connections they hold),
    /// its CPU account and buffers. What stays is the instance's own.
    pub(crate) fn release(&mut self) {
        self.host = None;
        self.cpu = None;
        self.input = Vec::new();
        self.new_calls = Vec::new();
        self.logs = Vec::new();
    }

    /// State for running an image's init at build time: no host calls.
    pub(crate) fn for_init(
        memory_bytes: usize,
        deadline: Instant,
        bundle: Vec<u8>,
        modules: Arc<ModuleMap>,
    ) -> StoreData {
        let limits = Limits {
            memory_bytes,
            max_host_calls: 0,
            ..Limits::default()
        };
        let mut data = StoreData::for_invocation(&limits, bundle, modules);
        data.calls_allowed = false;
        data.deadline = deadline;
        data
    }

    pub(crate) fn max_call_bytes(&self) -> usize {
        self.max_call_bytes
    }

    fn push_log(&mut self, level: LogLevel, message: String) -> bool {
        if self.logs_truncated {
            return true;
        }
        let cost = message.len() + LOG_ENTRY_OVERHEAD;
        if self.log_bytes + cost > self.max_log_bytes {
            self.logs_truncated = true;
            self.logs.push(LogEntry {
                level: LogLevel::Warn,
                message: format!(
                    "[chatfn] log limit of {} bytes reached; later output was dropped",
                    self.max_log_bytes
                ),
            });
            return true;
        }
        self.log_bytes += cost;
        self.logs.push(LogEntry { level, message });
        false
    }

    fn start_call(&mut self, name: &[u8], args: &[u8]) -> i32 {
        if !self.calls_allowed {
            return abi::CALL_ERR_UNAVAILABLE;
        }
        if self.calls_started >= MAX_HOST_CALLS {
            return abi::CALL_ERR_TOO_MANY;
        }
        if name.len() + args.len() > self.max_call_bytes {
            return abi::CALL_ERR_TOO_LARGE;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        let metered = self.host.as_ref().is_none_or(|host| host.metered(&name));
        if metered && self.metered_calls >= self.max_calls {
            return abi::CALL_ERR_TOO_MANY;
        }
        // The guest produced `args` with JSON.stringify; anything else is
        // refused rather than passed on.
        let Ok(args) = RawValue::from_string(String::from_utf8_lossy(args).into_owned()) else {
            return abi::CALL_ERR_TOO_LARGE;
        };
        self.calls_started += 1;
        if metered {
            self.metered_calls += 1;
        }
        let id = self.calls_started;
        self.new_calls.push((id, HostCall { name, args }));
        id as i32
    }

    /// The largest `finish` payload of `kind` that is kept.
    fn finish_limit(&self, kind: u32) -> usize {
        if kind == abi::FINISH_OK {
            self.max_result_bytes
        } else {
            MAX_ERROR_REPORT_BYTES
        }
    }

    /// Records the guest's outcome (the first one wins). `payload` is `None`
    /// when it was over its budget and so never copied: the outcome then
    /// describes its size instead.
    fn record_finish(&mut self, kind: u32, len: usize, payload: Option<Vec<u8>>) {
        if self.finish.is_some() {
            return;
        }
        self.finish = Some(match payload {
            Some(payload) => (kind, payload),
            None => {
                let limit = self.finish_limit(kind);
                let (kind, what) = if kind == abi::FINISH_OK {
                    (abi::FINISH_INVALID_RESULT, "the result")
                } else {
                    (kind, "the error report")
                };
                let message = format!(
                    "{{\"name\":\"Error\",\"message\":\"{what} is {len} bytes of JSON; the limit is {limit} bytes\"}}"
                );
                (kind, message.into_bytes())
            }
        });
    }
}

/// Caps linear memory growth at the invocation's limit and remembers that
/// it did, so an out-of-memory inside the guest is reported as
/// `MEMORY_LIMIT` whatever shape it takes there.
pub(crate) struct MemoryLimiter {
    limit: usize,
    pub(crate) hit: bool,
}

impl MemoryLimiter {
    fn new(limit: usize) -> MemoryLimiter {
        MemoryLimiter { limit, hit: false }
    }

    pub(crate) fn limit(&self) -> usize {
        self.limit
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Copies `len` bytes at `ptr` out of the guest's memory; `None` when the
/// range is out of bounds (a guest bug or attack, never trusted).
pub(crate) fn read_guest(caller: &Caller<'_, StoreData>, ptr: u32, len: u32) -> Option<Vec<u8>> {
    let memory = caller.data().memory?;
    let data = memory.data(caller);
    let start = ptr as usize;
    data.get(start..start.checked_add(len as usize)?)
        .map(<[u8]>::to_vec)
}

/// Writes `bytes` at `ptr` in the guest's memory; false when out of bounds.
pub(crate) fn write_guest(caller: &mut Caller<'_, StoreData>, ptr: u32, bytes: &[u8]) -> bool {
    let Some(memory) = caller.data().memory else {
        return false;
    };
    let data = memory.data_mut(caller);
    let start = ptr as usize;
    match start
        .checked_add(bytes.len())
        .and_then(|end| data.get_mut(start..end))
    {
        Some(dest) => {
            dest.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

fn out_of_bounds() -> wasmtime::Error {
    wasmtime::Error::msg("guest passed a pointer outside its memory")
}

pub(crate) fn add_to_linker(linker: &mut Linker<StoreData>) -> wasmtime::Result<()> {
    let m = abi::IMPORT_MODULE;
    linker.func_wrap(m, abi::IMPORT_INPUT_LEN, |caller: Caller<'_, StoreData>| {
        caller.data().input.len() as u32
    })?;
    linker.func_wrap(
        m,
        abi::IMPORT_INPUT_READ,
        |mut caller: Caller<'_, StoreData>, ptr: u32| -> wasmtime::Result<()> {
            let input = std::mem::take(&mut caller.data_mut().input);
            if write_guest(&mut caller, ptr, &input) {
                Ok(())
            } else {
                Err(out_of_bounds())
            }
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_LOG,
        |mut caller: Caller<'_, StoreData>,
         level: u32,
         ptr: u32,
         len: u32|
         -> wasmtime::Result<u32> {
            if caller.data().logs_truncated {
                return Ok(1);
            }
            let bytes = read_guest(&caller, ptr, len).ok_or_else(out_of_bounds)?;
            let message = String::from_utf8_lossy(&bytes).into_owned();
            Ok(u32::from(
                caller
                    .data_mut()
                    .push_log(LogLevel::from_index(level), message),
            ))
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_CALL_START,
        |mut caller: Caller<'_, StoreData>,
         name_ptr: u32,
         name_len: u32,
         args_ptr: u32,
         args_len: u32|
         -> wasmtime::Result<i32> {
            // Check the size before copying anything.
            if name_len as usize + args_len as usize > caller.data().max_call_bytes {
                return Ok(abi::CALL_ERR_TOO_LARGE);
            }
            let name = read_guest(&caller, name_ptr, name_len).ok_or_else(out_of_bounds)?;
            let args = read_guest(&caller, args_ptr, args_len).ok_or_else(out_of_bounds)?;
            Ok(caller.data_mut().start_call(&name, &args))
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_MODULE_OPEN,
        |mut caller: Caller<'_, StoreData>,
         path_ptr: u32,
         path_len: u32,
         mode: u32|
         -> wasmtime::Result<i32> {
            if path_len > 4096 {
                return Ok(-1);
            }
            let path = read_guest(&caller, path_ptr, path_len).ok_or_else(out_of_bounds)?;
            let data = caller.data_mut();
            let Ok(path) = std::str::from_utf8(&path) else {
                return Ok(-1);
            };
            if mode == abi::MODULE_LIST {
                let Some(listing) = list_directory(&data.modules, path) else {
                    return Ok(-1);
                };
                let len = i32::try_from(listing.len()).unwrap_or(i32::MAX);
                data.input = listing.into_bytes();
                return Ok(len);
            }
            let Some(source) = data.modules.get(path) else {
                return Ok(-1);
            };
            let len = i32::try_from(source.len()).unwrap_or(i32::MAX);
            if mode == abi::MODULE_READ {
                data.input = source.as_bytes().to_vec();
            }
            Ok(len)
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_FINISH,
        |mut caller: Caller<'_, StoreData>,
         kind: u32,
         ptr: u32,
         len: u32|
         -> wasmtime::Result<()> {
            let payload = if len as usize > caller.data().finish_limit(kind) {
                None
            } else {
                Some(read_guest(&caller, ptr, len).ok_or_else(out_of_bounds)?)
            };
            caller.data_mut().record_finish(kind, len as usize, payload);
            Ok(())
        },
    )?;
    Ok(())
}

/// The entries of directory `dir` in the module map, one per line in path order,
/// subdirectories with a trailing `/`; `None` when no file is under `dir`.
fn list_directory(modules: &ModuleMap, dir: &str) -> Option<String> {
    let prefix = if dir.ends_with('/') {
        dir.to_owned()
    } else {
        format!("{dir}/")
    };
    let mut listing = String::new();
    let mut last: Option<&str> = None;
    // Paths sort so that everything under the prefix is one range; a
    // directory's files are consecutive, so each name is seen in one run.
    for (path, _) in modules.range::<str, _>((
        std::ops::Bound::Included(prefix.as_str()),
        std::ops::Bound::Unbounded,
    )) {
        let Some(rest) = path.strip_prefix(&prefix) else {
            break;
        };
        let (name, is_dir) = match rest.split_once('/') {
            Some((name, _)) => (name, true),
            None => (rest, false),
        };
        if name.is_empty() || last == Some(name) {
            continue;
        }
        last = Some(name);
        if !listing.is_empty() {
            listing.push('\n');
        }
        listing.push_str(name);
        if is_dir {
            listing.push('/');
        }
    }
    (!listing.is_empty()).then_some(listing)
}
