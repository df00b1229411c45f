//! The few WASI preview1 functions the guest imports, implemented without
//! granting anything: no environment, no files, no sockets. stdout/stderr
//! only feed a small buffer kept for crash reports (Rust panic messages).

use std::cell::RefCell;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use wasmtime::{Caller, Linker};

use crate::store::{MAX_STDERR_BYTES, StoreData, read_guest, write_guest};

const MODULE: &str = "wasi_snapshot_preview1";
const ERRNO_SUCCESS: i32 = 0;
const ERRNO_BADF: i32 = 8;
const ERRNO_FAULT: i32 = 21;
const ERRNO_INVAL: i32 = 28;

/// Origin of the monotonic clock: one per process, so it never goes back
/// between instances.
fn monotonic_origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn write_u32s(caller: &mut Caller<'_, StoreData>, writes: &[(u32, u32)]) -> i32 {
    for &(ptr, value) in writes {
        if !write_guest(caller, ptr, &value.to_le_bytes()) {
            return ERRNO_FAULT;
        }
    }
    ERRNO_SUCCESS
}

/// Fills `buf` with bytes from the OS CSPRNG, through a per-thread buffer so
/// the per-invocation reseed does not cost a syscall each time.
fn fill_random(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    const POOL: usize = 4096;
    thread_local! {
        static RANDOM: RefCell<(Vec<u8>, usize)> = const { RefCell::new((Vec::new(), 0)) };
    }
    if buf.len() > POOL / 4 {
        return getrandom::fill(buf);
    }
    RANDOM.with(|random| {
        let (pool, used) = &mut *random.borrow_mut();
        if pool.len() - *used < buf.len() {
            pool.resize(POOL, 0);
            getrandom::fill(pool)?;
            *used = 0;
        }
        buf.copy_from_slice(&pool[*used..*used + buf.len()]);
        // Bytes are handed out once: zero them so they cannot be read again.
        pool[*used..*used + buf.len()].fill(0);
        *used += buf.len();
        Ok(())
    })
}

pub(crate) fn add_to_linker(linker: &mut Linker<StoreData>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "environ_sizes_get",
        |mut caller: Caller<'_, StoreData>, count: u32, size: u32| {
            write_u32s(&mut caller, &[(count, 0), (size, 0)])
        },
    )?;
    linker.func_wrap(MODULE, "environ_get", |_: u32, _: u32| ERRNO_SUCCESS)?;
    linker.func_wrap(MODULE, "fd_close", |_: u32| ERRNO_BADF)?;
    linker.func_wrap(MODULE, "fd_fdstat_get", |_: u32, _: u32| ERRNO_BADF)?;
    linker.func_wrap(MODULE, "fd_seek", |_: u32, _: i64, _: u32, _: u32| {
        ERRNO_BADF
    })?;
    linker.func_wrap(
        MODULE,
        "fd_write",
        |mut caller: Caller<'_, StoreData>, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32| {
            if fd != 1 && fd != 2 {
                return ERRNO_BADF;
            }
            let mut total: u32 = 0;
            for i in 0..iovs_len.min(1024) {
                let Some(iov) = read_guest(&caller, iovs.wrapping_add(i * 8), 8) else {
                    return ERRNO_FAULT;
                };
                let ptr = u32::from_le_bytes([iov[0], iov[1], iov[2], iov[3]]);
                let len = u32::from_le_bytes([iov[4], iov[5], iov[6], iov[7]]);
                let room = MAX_STDERR_BYTES.saturating_sub(caller.data().stderr.len());
                if room > 0 {
                    let Some(bytes) = read_guest(&caller, ptr, len.min(room as u32)) else {
                        return ERRNO_FAULT;
                    };
                    caller.data_mut().stderr.extend_from_slice(&bytes);
                }
                total = total.saturating_add(len);
            }
            write_u32s(&mut caller, &[(nwritten, total)])
        },
    )?;
    linker.func_wrap(
        MODULE,
        "random_get",
        |mut caller: Caller<'_, StoreData>, buf: u32, len: u32| {
            if len > 1 << 20 {
                return ERRNO_INVAL;
            }
            let mut bytes = vec![0u8; len as usize];
            if fill_random(&mut bytes).is_err() {
                return ERRNO_INVAL;
            }
            if write_guest(&mut caller, buf, &bytes) {
                ERRNO_SUCCESS
            } else {
                ERRNO_FAULT
            }
        },
    )?;
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        |mut caller: Caller<'_, StoreData>, id: u32, _precision: u64, out: u32| {
            let nanos = match id {
                // Realtime: Date.now() is live in every instance.
                0 => SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0),
                // Monotonic, process-wide.
                1 => monotonic_origin().elapsed().as_nanos() as u64,
                _ => return ERRNO_INVAL,
            };
            if write_guest(&mut caller, out, &nanos.to_le_bytes()) {
                ERRNO_SUCCESS
            } else {
                ERRNO_FAULT
            }
        },
    )?;
    linker.func_wrap(MODULE, "proc_exit", |code: u32| -> wasmtime::Result<()> {
        Err(wasmtime::Error::msg(format!(
            "the guest exited with code {code}"
        )))
    })?;
    Ok(())
}
