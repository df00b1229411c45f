//! Hints to the OS scheduler for the sandbox's own threads. Each is best
//! effort: where the OS refuses one, the sandbox works as before, with
//! longer tails under load.

/// The epoch ticker's time slice. It runs a few microseconds per tick,
/// and a tick it misses lets a guest overrun its free run or its turn.
#[cfg(target_os = "linux")]
const TICKER_SLICE_NS: u64 = 100_000;

/// Lets the calling thread (the epoch ticker) preempt others when it
/// wakes: Linux's EEVDF scheduler (6.12 and later) gives a thread that
/// asks for a short slice an early deadline. Without it, a ticker sharing
/// a core with a busy executor thread waited up to 5 ms (measured with
/// `perf sched`), and the guest on that thread ran on unticked.
pub(crate) fn prompt_wakeups() {
    #[cfg(target_os = "linux")]
    {
        let attr = libc::sched_attr {
            size: std::mem::size_of::<libc::sched_attr>() as u32,
            sched_policy: libc::SCHED_OTHER as u32,
            sched_flags: 0,
            sched_nice: 0,
            sched_priority: 0,
            sched_runtime: TICKER_SLICE_NS,
            sched_deadline: 0,
            sched_period: 0,
        };
        #[allow(unsafe_code, reason = "sched_setattr reads `attr` only")]
        // SAFETY: `attr` is a valid `sched_attr` of the size given, alive
        // for the call; pid 0 is the calling thread.
        let done = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr, 0) };
        if done != 0 {
            tracing::debug!(
                "the epoch ticker keeps the default time slice: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// Makes the calling thread (one of the long lane's) run only when no
/// other thread wants its core (`SCHED_IDLE`), or at least at the lowest
/// priority (nice 19) where that is refused. A core running only such
/// threads counts as idle when Linux places a waking thread, so short
/// work goes there at once instead of queueing behind a busy executor
/// thread.
pub(crate) fn background() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        #[allow(unsafe_code, reason = "these calls read their arguments only")]
        // SAFETY: `param` is valid for the call; pid 0 is the calling thread.
        unsafe {
            if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
                let _ = libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19);
            }
        }
    }
}
