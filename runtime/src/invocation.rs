//! The invocation record: one run of a function version, as the service
//! keeps it and the API shows it. Typed all the way to the store, which
//! alone decides how it is written down.

use sandbox::{ErrorKind, GuestError, HostCallError, LogEntry};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Where a run stands: a non-blocking run is `QUEUED` when accepted,
/// `RUNNING` during an attempt, `RETRYING` between a failed attempt and the
/// next, then `SUCCEEDED` or `FAILED`; blocking runs and test runs are
/// recorded when they end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum InvocationStatus {
    /// A non-blocking run, accepted, waiting for its first attempt.
    Queued,
    /// An attempt is under way.
    Running,
    /// An attempt failed; the next waits for its time.
    Retrying,
    /// `handleEvent` resolved to a JSON value.
    Succeeded,
    /// Anything else, with no attempt left; see [`Invocation::error`].
    Failed,
}

impl InvocationStatus {
    /// Every status, in lifecycle order.
    pub(crate) const ALL: [InvocationStatus; 5] = [
        InvocationStatus::Queued,
        InvocationStatus::Running,
        InvocationStatus::Retrying,
        InvocationStatus::Succeeded,
        InvocationStatus::Failed,
    ];

    /// The stable name (`QUEUED`, `RUNNING`, `RETRYING`, `SUCCEEDED`,
    /// `FAILED`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Queued => "QUEUED",
            InvocationStatus::Running => "RUNNING",
            InvocationStatus::Retrying => "RETRYING",
            InvocationStatus::Succeeded => "SUCCEEDED",
            InvocationStatus::Failed => "FAILED",
        }
    }

    /// Parses a stable name, in any case.
    pub(crate) fn parse(s: &str) -> Option<InvocationStatus> {
        let upper = s.to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == upper)
    }
}

/// Where a run that has not ended stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    Queued,
    Running,
    /// The last attempt failed (its error is the record's); another comes.
    Retrying,
}

/// Why a run failed: the sandbox's kinds, and the image that could not be
/// built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum FailureKind {
    /// The wall-clock limit was reached.
    Timeout,
    /// The CPU-time limit was reached.
    CpuLimit,
    /// The memory limit was reached.
    MemoryLimit,
    /// The handler threw or its promise rejected.
    Exception,
    /// The result is not JSON, or too large.
    InvalidResult,
    /// The handler's promise can never settle.
    Unsettled,
    /// The image could not be built: a compile error, or the init script
    /// or the handler's top level threw.
    InitError,
    /// The guest trapped (also what a kind this build does not know reads
    /// as).
    #[serde(other)]
    Crash,
}

impl From<ErrorKind> for FailureKind {
    fn from(kind: ErrorKind) -> FailureKind {
        match kind {
            ErrorKind::Timeout => FailureKind::Timeout,
            ErrorKind::CpuLimit => FailureKind::CpuLimit,
            ErrorKind::MemoryLimit => FailureKind::MemoryLimit,
            ErrorKind::Exception => FailureKind::Exception,
            ErrorKind::InvalidResult => FailureKind::InvalidResult,
            ErrorKind::Unsettled => FailureKind::Unsettled,
            _ => FailureKind::Crash,
        }
    }
}

impl FailureKind {
    /// The stable name used in JSON (`TIMEOUT`, `INIT_ERROR`, …).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FailureKind::Timeout => "TIMEOUT",
            FailureKind::CpuLimit => "CPU_LIMIT",
            FailureKind::MemoryLimit => "MEMORY_LIMIT",
            FailureKind::Exception => "EXCEPTION",
            FailureKind::Crash => "CRASH",
            FailureKind::InvalidResult => "INVALID_RESULT",
            FailureKind::Unsettled => "UNSETTLED",
            FailureKind::InitError => "INIT_ERROR",
        }
    }
}

/// An invocation's `error`: its kind, then the guest error's fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InvocationError {
    /// Why it failed.
    #[serde(rename = "type")]
    pub(crate) kind: FailureKind,
    /// What the guest (or the sandbox about it) reported.
    #[serde(flatten)]
    pub(crate) error: GuestError,
}

impl InvocationError {
    /// `Name: message`, for logs and one-line answers.
    pub(crate) fn summary(&self) -> String {
        format!("{}: {}", self.error.name, self.error.message)
    }
}

/// One outbound call, as the invocation log shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct CallRecord {
    /// `GET`, `POST`, …, or `CONNECT` for a socket.
    pub(crate) method: String,
    /// The platform path, or the fetched URL; never the query (it may
    /// carry user data or secrets).
    pub(crate) path: String,
    /// Absent when no response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(crate) status: Option<u16>,
    /// From the call to its answer.
    pub(crate) duration_ms: f64,
    /// The error code when the call failed without a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(crate) error: Option<String>,
}

impl CallRecord {
    /// A record of a call that answered `status`, or failed with `error`.
    pub(crate) fn new(
        method: &str,
        path: String,
        status: Option<u16>,
        duration_ms: f64,
        error: Option<&HostCallError>,
    ) -> CallRecord {
        CallRecord {
            method: method.to_owned(),
            path,
            status,
            duration_ms,
            error: status
                .is_none()
                .then(|| error.and_then(|e| e.data.get("code")?.as_str().map(str::to_owned)))
                .flatten(),
        }
    }
}

/// One run of a function version.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    /// Its id (a queued run's id is its job's).
    pub(crate) id: i64,
    /// The application it ran for.
    pub(crate) app_id: i64,
    /// The function.
    pub(crate) function_id: i64,
    /// The version of the function that ran.
    pub(crate) version_number: i64,
    /// The function's trigger type.
    pub(crate) trigger: String,
    /// Run through the test endpoint, not by a trigger.
    pub(crate) test: bool,
    /// The event.
    pub(crate) args: Box<RawValue>,
    /// `None` while it runs; then the handler's value, or why it failed.
    pub(crate) outcome: Option<Result<Box<RawValue>, InvocationError>>,
    /// Console output, in order.
    pub(crate) logs: Vec<LogEntry>,
    /// Outbound calls, in the order they finished.
    pub(crate) calls: Vec<CallRecord>,
    /// When the run was created, in ms since the epoch.
    pub(crate) created_ms: i64,
    /// When it ended.
    pub(crate) ended_ms: Option<i64>,
    /// How long it took, image build included.
    pub(crate) duration_ms: Option<f64>,
    /// Which run this is (non-blocking triggers are retried).
    pub(crate) attempts: u32,
    /// Set while a queued run has not ended: then its status is this
    /// rather than the outcome's (which is the last attempt's, if any).
    pub(crate) pending: Option<Pending>,
    /// When the current (or last) attempt started; `None` while queued.
    pub(crate) started_ms: Option<i64>,
    /// Whether it ran on a pooled instance made ahead of time; `None` when
    /// no instance ran (the image could not be built, say).
    pub(crate) warm: Option<bool>,
    /// Whether that instance had served earlier invocations of the same
    /// function version (instance reuse); `None` as for `warm`.
    pub(crate) reused: Option<bool>,
    /// The part of `duration_ms` before `handleEvent` was called: the
    /// image (built if it was not), then an instance.
    pub(crate) start_ms: Option<f64>,
    /// Attempts that ended before this one, oldest first: those followed
    /// by a retry, and a failed run's last one when it was re-driven.
    /// Read from the store; writing a record leaves them as they are.
    pub(crate) past_attempts: Vec<PastAttempt>,
}

/// An ended attempt whose record a later attempt replaced: kept whole, so
/// a retried invocation's earlier errors and logs are not lost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct PastAttempt {
    pub(crate) started_ms: Option<i64>,
    pub(crate) ended_ms: Option<i64>,
    pub(crate) duration_ms: Option<f64>,
    pub(crate) warm: Option<bool>,
    pub(crate) reused: Option<bool>,
    pub(crate) start_ms: Option<f64>,
    /// Why it failed (every past attempt failed, or it would have been
    /// the last).
    pub(crate) error: Option<InvocationError>,
    pub(crate) logs: Vec<LogEntry>,
    pub(crate) calls: Vec<CallRecord>,
}

impl PastAttempt {
    /// The attempt `record` holds.
    pub(crate) fn of(record: &Invocation) -> PastAttempt {
        PastAttempt {
            started_ms: record.started_ms,
            ended_ms: record.ended_ms,
            duration_ms: record.duration_ms,
            warm: record.warm,
            reused: record.reused,
            start_ms: record.start_ms,
            error: record.error().cloned(),
            logs: record.logs.clone(),
            calls: record.calls.clone(),
        }
    }
}

impl Invocation {
    /// Where the run stands, from its outcome.
    pub(crate) fn status(&self) -> InvocationStatus {
        match (self.pending, &self.outcome) {
            (Some(Pending::Queued), _) => InvocationStatus::Queued,
            (Some(Pending::Running), _) | (None, None) => InvocationStatus::Running,
            (Some(Pending::Retrying), _) => InvocationStatus::Retrying,
            (None, Some(Ok(_))) => InvocationStatus::Succeeded,
            (None, Some(Err(_))) => InvocationStatus::Failed,
        }
    }

    /// This record without its bulk, for when the database refuses it
    /// whole: its logs and calls give way to a notice, and a result to
    /// `null`; the status, error and times stay.
    pub(crate) fn cut_down(&self) -> Invocation {
        let notice = LogEntry {
            level: sandbox::LogLevel::Warn,
            message: "[chatfn] this record could not be stored whole; its logs, calls and result were dropped".into(),
        };
        Invocation {
            outcome: self.outcome.as_ref().map(|outcome| match outcome {
                Ok(_) => Ok(RawValue::from_string("null".into()).unwrap_or_default()),
                Err(e) => Err(e.clone()),
            }),
            logs: vec![notice],
            calls: Vec::new(),
            past_attempts: Vec::new(),
            ..self.clone()
        }
    }

    /// The handler's value, when it succeeded.
    pub(crate) fn result(&self) -> Option<&RawValue> {
        match &self.outcome {
            Some(Ok(result)) => Some(result),
            _ => None,
        }
    }

    /// Why it failed, when it failed.
    pub(crate) fn error(&self) -> Option<&InvocationError> {
        match &self.outcome {
            Some(Err(error)) => Some(error),
            _ => None,
        }
    }
}
