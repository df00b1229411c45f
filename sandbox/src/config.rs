//! Configuration: the engine-wide [`SandboxConfig`] and per-invocation
//! [`Limits`].

use std::path::PathBuf;
use std::time::Duration;

use crate::cpu::CpuShare;
use crate::{Error, Result};

/// Engine-wide settings, validated by [`Sandbox::new`](crate::Sandbox::new).
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Directory where image snapshots (`.image`) and the compiled guest
    /// (`.cwasm`) are cached. `None` disables the disk cache. Default:
    /// `None`.
    pub cache_dir: Option<PathBuf>,
    /// The most bytes of images the disk cache keeps: past it, the least
    /// recently used are removed (the instrumented guest always stays).
    /// `None`: no bound. Default: `None`.
    pub cache_max_bytes: Option<u64>,
    /// The most linear memory any invocation may be given; each pooled
    /// memory slot is this large (virtual). Default: 512 MiB.
    pub max_memory_bytes: usize,
    /// How many instances may be alive at once (the size of the instance
    /// pool). Default: 1000.
    pub max_instances: u32,
    /// How long an image's init script may run at build time. Default: 10 s.
    pub init_timeout: Duration,
    /// Memory the init script may use at build time. Default: 256 MiB.
    pub init_memory_bytes: usize,
    /// Bytes of each freed instance's memory kept resident for the next one
    /// (skips page faults on the hot path). Default: 4 MiB.
    pub keep_resident_bytes: usize,
    /// Memory all warm pools together may hold: instances of hot images
    /// made ahead of their invocations. Each pooled instance is counted at
    /// `keep_resident_bytes` (at least 1 MiB), the most its slot keeps
    /// resident; pools never take more than half of `max_instances`. `0`
    /// disables warm pools (every start instantiates). Default: 256 MiB.
    pub warm_pool_bytes: usize,
    /// The most instances one image's pool holds. Default: 16.
    pub warm_per_image: usize,
    /// How long an image goes without invocations before its pool is
    /// emptied. Default: 10 s.
    pub warm_idle: Duration,
    /// How many invocations past their first 1 ms of CPU time compute at
    /// once, on as many low-priority threads of the sandbox's own; the
    /// others wait for a turn (interactive ones first, then round-robin
    /// over tenants). Default: one fewer than the available cores (at
    /// least 1), so short invocations always find a core.
    pub cpu_turns: usize,
    /// Image builds (an init run and its snapshot) at once (a cache hit is
    /// not one); the others wait, builds someone waits on before bakes,
    /// then round-robin over tenants
    /// ([`ImageSpec::tenant`](crate::ImageSpec::tenant)). Default: half the
    /// available cores (at least 1), so builds leave invocations a core.
    pub max_builds: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            cache_dir: None,
            cache_max_bytes: None,
            max_memory_bytes: 512 << 20,
            max_instances: 1000,
            init_timeout: Duration::from_secs(10),
            init_memory_bytes: 256 << 20,
            keep_resident_bytes: 4 << 20,
            warm_pool_bytes: 256 << 20,
            warm_per_image: 16,
            warm_idle: Duration::from_secs(10),
            cpu_turns: std::thread::available_parallelism()
                .map_or(1, |n| n.get().saturating_sub(1))
                .max(1),
            max_builds: std::thread::available_parallelism()
                .map_or(1, |n| n.get() / 2)
                .max(1),
        }
    }
}

impl SandboxConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        let invalid = |message: String| Err(Error::InvalidConfig { message });
        if self.max_memory_bytes < 16 << 20 {
            return invalid(format!(
                "max_memory_bytes is {}; it must be at least 16 MiB",
                self.max_memory_bytes
            ));
        }
        if self.init_memory_bytes > self.max_memory_bytes {
            return invalid("init_memory_bytes exceeds max_memory_bytes".into());
        }
        if self.max_instances == 0 {
            return invalid("max_instances must be at least 1".into());
        }
        if self.init_timeout.is_zero() {
            return invalid("init_timeout must be positive".into());
        }
        if self.cpu_turns == 0 {
            return invalid("cpu_turns must be at least 1".into());
        }
        if self.max_builds == 0 {
            return invalid("max_builds must be at least 1".into());
        }
        Ok(())
    }
}

/// Budgets for one invocation. Exceeding memory, time or CPU time fails
/// the invocation (`MEMORY_LIMIT`, `TIMEOUT`, `CPU_LIMIT`); exceeding the log budget drops
/// further lines; a too-large result is `INVALID_RESULT`; host calls beyond
/// the budget are rejected inside the guest, where the handler can catch them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory cap. Default: 64 MiB.
    pub memory_bytes: usize,
    /// Wall-clock limit (epoch interruption). Default: 5 s.
    pub timeout: Duration,
    /// CPU-time limit: time the invocation spends running on an executor
    /// thread, not waiting on host calls, timers or its turn, nor preempted
    /// past its first millisecond (the thread's CPU clock). Default: 5 s
    /// (so the timeout comes first unless this is lowered).
    pub cpu_time: Duration,
    /// Whose CPU time this is, for turns among long-running guests.
    pub cpu_share: CpuShare,
    /// Total bytes of console output kept, each entry counting 32 bytes
    /// besides its text (so at most 2,048 entries by default). Default:
    /// 64 KiB.
    pub max_log_bytes: usize,
    /// Largest result (as JSON). Default: 1 MiB.
    pub max_result_bytes: usize,
    /// Host calls per invocation, of those the invocation's
    /// [`HostCalls`](crate::HostCalls) meters. Default: 100.
    pub max_host_calls: u32,
    /// Largest host call request or response (as JSON). Default: 1 MiB.
    pub max_host_call_bytes: usize,
    /// Whether the instance may serve later invocations of the same image
    /// after this one. Default: [`Reuse::None`].
    pub reuse: Reuse,
}

/// Whether an instance serves one invocation or is kept for the next ones
/// of its image.
///
/// A kept instance keeps its module scope (globals, caches, what the init
/// script built); each invocation on it still gets its own `context`, no
/// timers or host calls of the last one, fresh console and log budgets,
/// only its own secrets, and its sockets closed. It is retired after a
/// failed invocation of any kind, once its linear memory passes half the
/// invocation's memory limit, after `max_invocations`, or after `max_idle`
/// without one; and never serves another [`Image`](crate::Image) (the
/// embedder keeps one image per function version and runtime).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reuse {
    /// A never-used instance per invocation: nothing survives it.
    #[default]
    None,
    /// One invocation at a time per instance, kept warm between them.
    Sequential {
        /// Invocations an instance serves before it is retired.
        max_invocations: u32,
        /// How long a kept instance may wait for its next invocation.
        max_idle: Duration,
    },
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 64 << 20,
            timeout: Duration::from_secs(5),
            cpu_time: Duration::from_secs(5),
            cpu_share: CpuShare::default(),
            max_log_bytes: 64 << 10,
            max_result_bytes: 1 << 20,
            max_host_calls: 100,
            max_host_call_bytes: 1 << 20,
            reuse: Reuse::None,
        }
    }
}

impl Limits {
    /// Checks these limits against the engine's configuration.
    pub fn validate(&self, config: &SandboxConfig) -> Result<()> {
        let invalid = |message: String| Err(Error::InvalidLimits { message });
        if self.memory_bytes > config.max_memory_bytes {
            return invalid(format!(
                "memory limit {} MiB exceeds the engine's maximum of {} MiB",
                self.memory_bytes >> 20,
                config.max_memory_bytes >> 20
            ));
        }
        if self.memory_bytes < 4 << 20 {
            return invalid("memory limit must be at least 4 MiB".into());
        }
        if self.timeout.is_zero() {
            return invalid("timeout must be positive".into());
        }
        if self.cpu_time.is_zero() {
            return invalid("CPU time limit must be positive".into());
        }
        if let Reuse::Sequential {
            max_invocations,
            max_idle,
        } = self.reuse
            && (max_invocations == 0 || max_idle.is_zero())
        {
            return invalid(
                "instance reuse needs at least one invocation and a positive idle time".into(),
            );
        }
        Ok(())
    }
}
