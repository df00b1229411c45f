//! The guest's view of the host: the `chatfn` imports (see `abi.rs`) and the
//! two WASI calls used directly.

use crate::abi;

#[link(wasm_import_module = "chatfn")]
unsafe extern "C" {
    #[link_name = "input_len"]
    fn chatfn_input_len() -> u32;
    #[link_name = "input_read"]
    fn chatfn_input_read(ptr: *mut u8);
    #[link_name = "log"]
    fn chatfn_log(level: u32, ptr: *const u8, len: u32) -> u32;
    #[link_name = "call_start"]
    fn chatfn_call_start(
        name_ptr: *const u8,
        name_len: u32,
        args_ptr: *const u8,
        args_len: u32,
    ) -> i32;
    #[link_name = "finish"]
    fn chatfn_finish(kind: u32, ptr: *const u8, len: u32);
    #[link_name = "module_open"]
    fn chatfn_module_open(path_ptr: *const u8, path_len: u32, stage: u32) -> i32;
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn random_get(buf: *mut u8, len: usize) -> u16;
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u16;
}

/// The bytes the host staged for the current export call.
pub(crate) fn read_input() -> Vec<u8> {
    // SAFETY: the host writes exactly `input_len` bytes at the pointer.
    unsafe {
        let len = chatfn_input_len() as usize;
        let mut buf = Vec::with_capacity(len);
        chatfn_input_read(buf.as_mut_ptr());
        buf.set_len(len);
        buf
    }
}

/// Sends one console line; returns true once the log budget is spent.
pub(crate) fn log(level: u32, message: &str) -> bool {
    // SAFETY: the host only reads `len` bytes at `ptr`.
    unsafe { chatfn_log(level, message.as_ptr(), message.len() as u32) != 0 }
}

/// Starts a host call; returns its id or a negative `CALL_ERR_*`.
pub(crate) fn call_start(name: &str, args: &str) -> i32 {
    // SAFETY: the host only reads the given ranges.
    unsafe {
        chatfn_call_start(
            name.as_ptr(),
            name.len() as u32,
            args.as_ptr(),
            args.len() as u32,
        )
    }
}

/// Whether the image's module map has `path`.
pub(crate) fn module_exists(path: &str) -> bool {
    module_size(path) >= 0
}

/// The length of `path` in the image's module map, or -1.
pub(crate) fn module_size(path: &str) -> i32 {
    // SAFETY: the host only reads `len` bytes at `ptr`.
    unsafe { chatfn_module_open(path.as_ptr(), path.len() as u32, abi::MODULE_LOOKUP) }
}

/// The entries of directory `path` in the module map (see
/// `abi::MODULE_LIST`), if it is a directory there.
pub(crate) fn module_list(path: &str) -> Option<Vec<u8>> {
    // SAFETY: as above; the host then stages the listing for `read_input`.
    let len = unsafe { chatfn_module_open(path.as_ptr(), path.len() as u32, abi::MODULE_LIST) };
    (len >= 0).then(read_input)
}

/// The source of `path` in the image's module map, if it has one.
pub(crate) fn module_source(path: &str) -> Option<Vec<u8>> {
    // SAFETY: as above; the host then stages the source for `read_input`.
    let len = unsafe { chatfn_module_open(path.as_ptr(), path.len() as u32, abi::MODULE_READ) };
    (len >= 0).then(read_input)
}

/// Reports the invocation's outcome.
pub(crate) fn finish(kind: u32, payload: &[u8]) {
    // SAFETY: the host only reads `len` bytes at `ptr`.
    unsafe { chatfn_finish(kind, payload.as_ptr(), payload.len() as u32) }
}

/// Fills `buf` from the host's CSPRNG.
pub(crate) fn random(buf: &mut [u8]) {
    // SAFETY: the host writes at most `len` bytes at `buf`. A failure leaves
    // zeros, which the host never produces (its random_get cannot fail).
    unsafe {
        random_get(buf.as_mut_ptr(), buf.len());
    }
}

/// Monotonic clock in milliseconds, for timers and `performance.now()`.
pub(crate) fn monotonic_ms() -> f64 {
    clock_ns(1) as f64 / 1e6
}

/// Wall-clock time in whole milliseconds since the epoch, as `Date.now()`.
pub(crate) fn realtime_ms() -> f64 {
    (clock_ns(0) / 1_000_000) as f64
}

fn clock_ns(id: u32) -> u64 {
    let mut ns = 0u64;
    // SAFETY: the host writes one u64 at the pointer. Clock id 0 =
    // realtime, 1 = monotonic.
    unsafe {
        clock_time_get(id, 1_000, &mut ns);
    }
    ns
}
