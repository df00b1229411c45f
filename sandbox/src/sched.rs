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
    set_background(0, true);
}

/// Moves thread `tid` (0: the calling thread) to the background policy
/// of [`background`], or back to the normal one (`SCHED_OTHER`, nice 0).
/// A thread at `SCHED_IDLE` gets no CPU at all while normal threads keep
/// every core busy; the long lane's watch lifts its threads for a while
/// when that starves them.
pub(crate) fn set_background(tid: i32, background: bool) {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        #[allow(unsafe_code, reason = "these calls read their arguments only")]
        // SAFETY: `param` is valid for the call; `tid` names a thread of
        // this process (or 0, the calling thread).
        unsafe {
            let id = if tid == 0 { libc::gettid() } else { tid };
            if background {
                if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
                    let _ = libc::setpriority(libc::PRIO_PROCESS, id as libc::id_t, 19);
                }
            } else {
                let _ = libc::sched_setscheduler(tid, libc::SCHED_OTHER, &param);
                let _ = libc::setpriority(libc::PRIO_PROCESS, id as libc::id_t, 0);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (tid, background);
}

/// The calling thread's id, for [`set_background`].
pub(crate) fn thread_id() -> i32 {
    #[cfg(target_os = "linux")]
    {
        #[allow(unsafe_code, reason = "gettid has no arguments")]
        // SAFETY: gettid cannot fail.
        unsafe {
            libc::gettid()
        }
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// The scheduling policy of the calling thread, from procfs (`5` is
/// `SCHED_IDLE`), for tests.
#[cfg(test)]
pub(crate) fn policy() -> Option<String> {
    let sched = std::fs::read_to_string("/proc/thread-self/sched").ok()?;
    let line = sched.lines().find(|l| l.starts_with("policy"))?;
    Some(line.rsplit(':').next()?.trim().to_string())
}
