//! One invocation: a fresh instance of an image (or, under reuse, one kept
//! from its earlier invocations), driven until the handler settles, fails,
//! or runs out of budget.
//!
//! The guest never blocks. When its job queue is empty and the handler has
//! not settled, `chatfn_invoke`/`chatfn_resume` return how long the guest
//! wants to wait (its next timer) and the host calls it recorded; this loop
//! performs those calls concurrently, sleeps until the first completion or
//! the timer, and resumes the guest with whatever completed.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::value::RawValue;
use wasmtime::{Store, TypedFunc};

use crate::cpu::{CpuAccount, Meter};
use crate::instance::{Ready, StartError, TrapKind, classify_trap, configure_store, memory_bytes};
use crate::lane;
use crate::outcome::{Failure, GuestError};
use crate::reuse::Kept;
use crate::store::StoreData;
use crate::{
    Error, ErrorKind, HostCallError, HostCalls, Image, Limits, Outcome, Result, Reuse, abi,
};

impl Image {
    /// Runs `handleEvent(event, context)` on a fresh instance of this image.
    ///
    /// `context` (a JSON object) is frozen and passed as the handler's second
    /// argument. Returns an [`Outcome`] whenever the invocation ran, however
    /// it ended; an `Err` means it could not start (invalid limits, or every
    /// instance slot busy).
    pub async fn invoke(
        &self,
        event: &RawValue,
        context: &RawValue,
        limits: &Limits,
        host: Arc<dyn HostCalls>,
    ) -> Result<Outcome> {
        self.invoke_with_env(event, context, None, limits, host)
            .await
    }

    /// [`Image::invoke`], with variables added to `process.env` for this
    /// invocation only: `env` is a JSON object of strings (secrets, say,
    /// which must never be part of an image). They live in the instance's
    /// memory, which is discarded after the invocation.
    pub async fn invoke_with_env(
        &self,
        event: &RawValue,
        context: &RawValue,
        env: Option<&RawValue>,
        limits: &Limits,
        host: Arc<dyn HostCalls>,
    ) -> Result<Outcome> {
        let sandbox = &self.inner.sandbox.inner;
        limits.validate(&sandbox.config)?;
        let started = Instant::now();
        let input = match env {
            Some(env) => format!(
                "{{\"event\":{},\"context\":{},\"env\":{}}}",
                event.get(),
                context.get(),
                env.get()
            ),
            None => format!(
                "{{\"event\":{},\"context\":{}}}",
                event.get(),
                context.get()
            ),
        };
        // A kept instance first (reuse), else a fresh one from the pool.
        let kept = match limits.reuse {
            Reuse::Sequential { .. } => self.take_kept(),
            Reuse::None => None,
        };
        let uses = kept.as_ref().map_or(0, |kept| kept.uses);
        let reused = kept.is_some();
        let (warm, _running) = match kept {
            Some(kept) => {
                // So the warmer retires it when it idles out.
                self.track();
                (Some(kept.ready), self.inner.warm.enter())
            }
            None => self.take_warm(),
        };
        let mut pooled = warm.is_some();
        let (mut store, funcs) = match warm {
            Some(ready) => arm(ready, limits, input.into_bytes()),
            None => {
                let data = StoreData::for_invocation(
                    limits,
                    input.into_bytes(),
                    Arc::clone(&self.inner.modules),
                );
                let mut store = Store::new(&sandbox.engine, data);
                configure_store(&mut store);
                (store, None)
            }
        };
        self.invoked();
        let cpu = CpuAccount::new(&sandbox.turns, limits.cpu_share, limits.cpu_time);
        let meter = Arc::clone(&cpu.meter);
        let long = Arc::clone(&cpu.long);
        if self.inner.runs_long.load(Ordering::Relaxed) {
            long.store(true, Ordering::Relaxed);
        }
        store.data_mut().cpu = Some(cpu);
        let home = tokio::runtime::Handle::current();

        let driving = Instant::now();
        let run = |store, funcs, timeout: Duration| {
            let driven = Box::pin(self.clone().drive_for(
                store,
                funcs,
                Arc::clone(&host),
                home.clone(),
                Arc::clone(&meter),
                timeout,
            ));
            // The guest's own timer runs where the guest does: on the long
            // lane, at the lowest priority, a machine saturated by other
            // work may not schedule it for seconds. The caller stops
            // waiting soon after the deadline all the same.
            tokio::time::timeout(
                timeout + LANE_GRACE,
                sandbox.lane.run(Arc::clone(&long), driven),
            )
        };
        // A guest on the long lane not scheduled by its deadline: a
        // timeout. Its instance (and the logs in it) is dropped on the lane.
        let unscheduled = |warm: bool| {
            let duration = started.elapsed();
            Outcome {
                result: Err(Failure {
                    kind: ErrorKind::Timeout,
                    error: timeout_error(limits),
                }),
                logs: Vec::new(),
                host_calls: 0,
                duration,
                warm,
                reused,
                startup: duration,
                cpu: meter.used(),
            }
        };
        // `called`: when `handleEvent` was called, to tell start and run
        // times apart.
        let Ok((mut store, mut called, mut run_result)) = run(store, funcs, limits.timeout).await
        else {
            return Ok(unscheduled(pooled));
        };
        // Every slot was busy for an inline start, yet the warmer may have
        // just taken the last one for this image's pool: that instance
        // serves the invocation instead.
        if let Ok(Err(DriveError::Start(e))) = &run_result
            && is_pool_exhausted(e)
            && let Some(ready) = self.inner.warm.pop()
        {
            let input = std::mem::take(&mut store.data_mut().input);
            let (mut ready_store, funcs) = arm(ready, limits, input);
            ready_store.data_mut().cpu = store.data_mut().cpu.take();
            // The failed store never got an instance: nothing to reset.
            drop(std::mem::replace(&mut store, ready_store));
            pooled = true;
            let left = limits.timeout.saturating_sub(driving.elapsed());
            let Ok(ran) = run(store, funcs, left).await else {
                return Ok(unscheduled(true));
            };
            (store, called, run_result) = ran;
        }
        let run = run_result;
        self.inner
            .runs_long
            .store(meter.outran(), Ordering::Relaxed);
        let mut exports = None;
        let ended = match run {
            Ok(Ok(funcs)) => {
                exports = Some(funcs);
                Ok(())
            }
            Ok(Err(DriveError::Start(e))) => {
                if store.data().limiter.hit {
                    Err(TrapKind::MemoryLimit)
                } else if is_pool_exhausted(&e) {
                    return Err(Error::PoolExhausted {
                        max_instances: sandbox.config.max_instances,
                    });
                } else {
                    Err(TrapKind::Crash(format!("instantiation failed: {e:#}")))
                }
            }
            // QuickJS reports a failed allocation as an exception; the
            // limiter knows whether the limit caused it.
            Ok(Err(DriveError::Load(_))) if store.data().limiter.hit => Err(TrapKind::MemoryLimit),
            Ok(Err(DriveError::Load(report))) => Err(TrapKind::Load(report)),
            Ok(Err(DriveError::Trap(e))) => Err(classify_trap(&e, store.data())),
            Ok(Err(DriveError::Stuck)) => Err(TrapKind::Crash(
                "the guest is waiting, but on nothing the host knows of".to_string(),
            )),
            Err(_elapsed) => Err(TrapKind::Timeout),
        };
        let mut outcome = outcome(store.data_mut(), ended, limits, started.elapsed());
        store.data_mut().release();
        match exports {
            Some((invoke, resume)) if outcome.succeeded() => self.keep_or_retire(
                Ready {
                    store,
                    invoke,
                    resume,
                },
                uses + 1,
                limits,
            ),
            _ => self.retire(store),
        }
        outcome.cpu = meter.used();
        outcome.warm = pooled;
        outcome.reused = reused;
        outcome.startup = called.map_or(outcome.duration, |at| at.duration_since(started));
        if let Err(failure) = &mut outcome.result {
            self.inner.source_maps.apply(&mut failure.error);
        }
        Ok(outcome)
    }

    /// [`Image::drive`] under a timeout, owning what it uses so that it
    /// can move to the long lane. Gives the store back, with when the
    /// handler was called.
    async fn drive_for(
        self,
        mut store: Store<StoreData>,
        funcs: Option<Exports>,
        host: Arc<dyn HostCalls>,
        home: tokio::runtime::Handle,
        meter: Arc<Meter>,
        timeout: Duration,
    ) -> (Store<StoreData>, Option<Instant>, Driven) {
        let mut called = None;
        let driven = tokio::time::timeout(
            timeout,
            meter.measure(self.drive(&mut store, funcs, host, &home, &mut called)),
        )
        .await;
        (store, called, driven)
    }

    async fn drive(
        &self,
        store: &mut Store<StoreData>,
        funcs: Option<Exports>,
        host: Arc<dyn HostCalls>,
        home: &tokio::runtime::Handle,
        called: &mut Option<Instant>,
    ) -> Result<Exports, DriveError> {
        // Asked, per call the guest starts, whether it is metered.
        store.data_mut().host = Some(Arc::clone(&host));
        let (invoke, resume) = match funcs {
            Some(funcs) => {
                // A pooled instance was made under the engine's ceiling.
                let size = memory_bytes(store);
                if size > store.data().limiter.limit() {
                    store.data_mut().limiter.hit = true;
                    return Err(DriveError::Start(wasmtime::Error::msg(
                        "over the memory limit",
                    )));
                }
                funcs
            }
            None => match self.form().start(store).await {
                Ok(funcs) => funcs,
                Err(StartError::Engine(e)) => return Err(DriveError::Start(e)),
                Err(StartError::Trap(e)) => return Err(DriveError::Trap(e)),
                Err(StartError::Load(report, _)) => return Err(DriveError::Load(report)),
            },
        };

        let max_call_bytes = store.data().max_call_bytes();
        *called = Some(Instant::now());
        let mut status = invoke
            .call_async(&mut *store, ())
            .await
            .map_err(DriveError::Trap)?;
        let mut in_flight = FuturesUnordered::new();
        while status != abi::STATUS_DONE {
            // Waiting computes nothing: the turn goes to the next guest in
            // line (the next tick past the free run asks again).
            if let Some(cpu) = &mut store.data_mut().cpu {
                cpu.park();
            }
            for (id, call) in store.data_mut().new_calls.drain(..) {
                let future = lane::at_home(home, host.call(call));
                in_flight.push(async move { (id, future.await) });
            }
            let timer = u64::try_from(status).ok().map(Duration::from_micros);
            let mut completed = Vec::new();
            match (timer, in_flight.is_empty()) {
                (None, true) => return Err(DriveError::Stuck),
                (Some(delay), true) => tokio::time::sleep(delay).await,
                (None, false) => completed.extend(in_flight.next().await),
                (Some(delay), false) => {
                    if let Ok(done) = tokio::time::timeout(delay, in_flight.next()).await {
                        completed.extend(done);
                    }
                }
            }
            // Deliver everything that is ready, not just the first.
            while let Some(Some(done)) = in_flight.next().now_or_never() {
                completed.push(done);
            }
            let mut input = Vec::new();
            for (id, result) in completed {
                let (ok, json) = encode_result(result, max_call_bytes);
                abi::encode_completion(&mut input, id, ok, &json);
            }
            store.data_mut().input = input;
            status = resume
                .call_async(&mut *store, ())
                .await
                .map_err(DriveError::Trap)?;
        }
        Ok((invoke, resume))
    }

    /// A kept instance for a reused invocation, retiring the idled-out
    /// ones it passes.
    fn take_kept(&self) -> Option<Kept> {
        let (kept, expired) = self
            .inner
            .kept
            .take(self.inner.sandbox.inner.warmer.kept_total());
        for gone in expired {
            self.retire(gone.ready.store);
        }
        kept
    }

    /// After a successful invocation: keeps the instance for the next one
    /// when `limits` ask for reuse and it is still fit to serve, else
    /// retires it.
    fn keep_or_retire(&self, ready: Ready, uses: u32, limits: &Limits) {
        let Reuse::Sequential {
            max_invocations,
            max_idle,
        } = limits.reuse
        else {
            return self.retire(ready.store);
        };
        let size = memory_bytes(&ready.store);
        // Past the high-water mark a growing heap would soon fail an
        // invocation at the limit: a fresh instance serves the next one.
        if uses >= max_invocations || size > limits.memory_bytes / 2 {
            return self.retire(ready.store);
        }
        let config = &self.inner.sandbox.inner.config;
        let bytes = config
            .keep_resident_bytes
            .max(1 << 20)
            .saturating_add(size.saturating_sub(self.form().initial_bytes as usize));
        let kept = Kept::new(ready, uses, max_idle, bytes);
        let refused = self.inner.kept.keep(
            kept,
            self.inner.sandbox.inner.warmer.kept_total(),
            config.warm_per_image,
            config.warm_pool_bytes,
        );
        if let Some(kept) = refused {
            self.retire(kept.ready.store);
        }
    }

    fn retire(&self, store: Store<StoreData>) {
        self.inner.sandbox.retire(store);
    }
}

/// How driving ended: in time or not; the instance's exports when the
/// handler settled.
type Driven = std::result::Result<Result<Exports, DriveError>, tokio::time::error::Elapsed>;

/// An instance's invoke and resume exports.
type Exports = (TypedFunc<(), i64>, TypedFunc<(), i64>);

/// Turns a pooled instance into this invocation's: its limits, its input,
/// and an epoch deadline from now.
fn arm(ready: Ready, limits: &Limits, input: Vec<u8>) -> (Store<StoreData>, Option<Exports>) {
    let Ready {
        mut store,
        invoke,
        resume,
    } = ready;
    store.data_mut().arm(limits, input);
    // The epoch deadline is relative to when it is set.
    store.set_epoch_deadline(1);
    (store, Some((invoke, resume)))
}

/// Why driving an instance stopped before the handler settled.
enum DriveError {
    Start(wasmtime::Error),
    /// A late-bound handler threw while loading (its error report).
    Load(Vec<u8>),
    Trap(wasmtime::Error),
    Stuck,
}

pub(crate) fn is_pool_exhausted(error: &wasmtime::Error) -> bool {
    error
        .downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
        .is_some()
}

/// A host call's result as the guest receives it; oversized results become
/// errors the handler can catch.
fn encode_result(
    result: std::result::Result<serde_json::Value, HostCallError>,
    max_bytes: usize,
) -> (bool, Vec<u8>) {
    match result {
        Ok(value) => match serde_json::to_vec(&value) {
            Ok(json) if json.len() <= max_bytes => (true, json),
            Ok(json) => {
                let error = HostCallError::new(
                    "HostCallError",
                    format!(
                        "the host call's result is {} bytes; the limit is {max_bytes} bytes",
                        json.len()
                    ),
                );
                (false, error.to_json())
            }
            Err(e) => (
                false,
                HostCallError::new("HostCallError", e.to_string()).to_json(),
            ),
        },
        Err(error) => (false, error.to_json()),
    }
}

/// How long past its timeout the caller waits for a guest on the long lane
/// to end by its own timer, which normally takes microseconds.
const LANE_GRACE: Duration = Duration::from_millis(250);

fn timeout_error(limits: &Limits) -> GuestError {
    GuestError::new(
        "TimeoutError",
        format!(
            "the invocation did not finish within {} ms",
            limits.timeout.as_millis()
        ),
    )
}

/// The outcome, taken out of the store's state (which a kept instance
/// goes on using).
fn outcome(
    data: &mut StoreData,
    ended: std::result::Result<(), TrapKind>,
    limits: &Limits,
    duration: Duration,
) -> Outcome {
    let failed = |kind: ErrorKind, error: GuestError| Err(Failure { kind, error });
    let memory_error = || {
        GuestError::new(
            "MemoryLimitError",
            format!(
                "the invocation used more than its memory limit of {} MiB",
                limits.memory_bytes >> 20
            ),
        )
    };
    let result = match ended {
        Err(TrapKind::Timeout) => failed(ErrorKind::Timeout, timeout_error(limits)),
        Err(TrapKind::CpuLimit) => failed(
            ErrorKind::CpuLimit,
            GuestError::new(
                "CpuLimitError",
                format!(
                    "the invocation used more than its CPU time limit of {} ms",
                    limits.cpu_time.as_millis()
                ),
            ),
        ),
        Err(TrapKind::MemoryLimit) => failed(ErrorKind::MemoryLimit, memory_error()),
        Err(TrapKind::Crash(message)) => {
            failed(ErrorKind::Crash, GuestError::new("CrashError", message))
        }
        // Loading succeeded when the image was built, so this handler's top
        // level behaves differently per instance (e.g. it reads the clock).
        Err(TrapKind::Load(report)) => {
            failed(ErrorKind::Exception, GuestError::from_report(&report))
        }
        Ok(()) => match data.finish.take() {
            Some((abi::FINISH_OK, json)) => match String::from_utf8(json)
                .ok()
                .and_then(|json| RawValue::from_string(json).ok())
            {
                Some(value) => Ok(value),
                None => failed(
                    ErrorKind::InvalidResult,
                    GuestError::new("InvalidResultError", "the result is not valid JSON"),
                ),
            },
            // QuickJS reports a failed allocation as an InternalError; the
            // limiter knows whether the limit caused it.
            Some(_) if data.limiter.hit => failed(ErrorKind::MemoryLimit, memory_error()),
            Some((abi::FINISH_EXCEPTION, report)) => {
                failed(ErrorKind::Exception, GuestError::from_report(&report))
            }
            Some((abi::FINISH_INVALID_RESULT, report)) => {
                let mut error = GuestError::from_report(&report);
                error.name = "InvalidResultError".into();
                failed(ErrorKind::InvalidResult, error)
            }
            Some((_, report)) => {
                let mut error = GuestError::from_report(&report);
                error.name = "UnsettledError".into();
                failed(ErrorKind::Unsettled, error)
            }
            None => failed(
                ErrorKind::Crash,
                GuestError::new("CrashError", "the guest ended without reporting an outcome"),
            ),
        },
    };
    Outcome {
        result,
        logs: std::mem::take(&mut data.logs),
        host_calls: data.calls_started,
        duration,
        warm: false,
        reused: false,
        startup: duration,
        cpu: Duration::ZERO,
    }
}
