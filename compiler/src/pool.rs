//! Reusable worker threads with big stacks, where swc runs.
//!
//! Spawning a thread with a 256 MiB stack per compile would cost a few
//! hundred microseconds and mmap churn; the workers are started once and fed
//! through a channel. A caller waits for its result at most the compile
//! timeout; a compile that overruns keeps its worker busy until it ends (a
//! thread cannot be stopped), which the input bounds keep short.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use crate::pipeline::{self, Job};
use crate::{CompileError, Compiled, Diagnostic, Result};

type Reply = Result<Compiled>;

struct Task {
    job: Job,
    /// Set when the caller stopped waiting: the task is skipped if not begun.
    abandoned: Arc<AtomicBool>,
    reply: SyncSender<Reply>,
}

pub(crate) struct Pool {
    workers: usize,
    stack_bytes: usize,
    sender: OnceLock<Result<Mutex<Sender<Task>>, String>>,
}

impl Pool {
    pub(crate) fn new(workers: usize, stack_bytes: usize) -> Pool {
        Pool {
            workers,
            stack_bytes,
            sender: OnceLock::new(),
        }
    }

    fn start(&self) -> Result<Mutex<Sender<Task>>, String> {
        let (sender, receiver) = mpsc::channel::<Task>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..self.workers {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("compiler-{n}"))
                .stack_size(self.stack_bytes)
                .spawn(move || work(&receiver))
                .map_err(|e| format!("could not start a compiler thread: {e}"))?;
        }
        Ok(Mutex::new(sender))
    }

    pub(crate) fn run(&self, job: Job, timeout: Duration) -> Reply {
        let file = job.file_name.clone();
        let fail = |message: String| Err(CompileError::one(Diagnostic::new(&file, 1, 1, message)));
        let sender = match self.sender.get_or_init(|| self.start()) {
            Ok(sender) => sender,
            Err(message) => return fail(message.clone()),
        };
        let (reply, result) = mpsc::sync_channel(1);
        let abandoned = Arc::new(AtomicBool::new(false));
        let task = Task {
            job,
            abandoned: Arc::clone(&abandoned),
            reply,
        };
        if sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(task)
            .is_err()
        {
            return fail("the compiler's worker threads have stopped".into());
        }
        match result.recv_timeout(timeout) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => {
                abandoned.store(true, Ordering::Relaxed);
                fail(format!(
                    "compiling took longer than {} ms; the file is too large or too complex",
                    timeout.as_millis()
                ))
            }
            Err(RecvTimeoutError::Disconnected) => {
                fail("the compiler stopped while compiling this file".into())
            }
        }
    }
}

fn work(receiver: &Mutex<Receiver<Task>>) {
    loop {
        let task = match receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv()
        {
            Ok(task) => task,
            Err(_) => return,
        };
        if task.abandoned.load(Ordering::Relaxed) {
            continue;
        }
        let file = task.job.file_name.clone();
        let reply =
            catch_unwind(AssertUnwindSafe(|| pipeline::run(task.job))).unwrap_or_else(|panic| {
                let detail = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(CompileError::one(Diagnostic::new(
                    &file,
                    1,
                    1,
                    format!("the compiler failed on this file (internal error: {detail})"),
                )))
            });
        // The caller may have given up waiting; nothing else to do then.
        let _ = task.reply.send(reply);
    }
}
