//! The host side of the host-call bridge: guest JS awaits a named operation
//! with JSON arguments; the embedder's [`HostCalls`] performs it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// One operation the guest asked for.
#[derive(Debug)]
pub struct HostCall {
    /// The operation's name, as the guest gave it.
    pub name: String,
    /// Its arguments, as JSON (at most `Limits::max_host_call_bytes`).
    pub args: Box<RawValue>,
}

/// An operation's failure, delivered to the guest as a JS `Error` with
/// `name`, `message` and every field of `data` as a property (for example
/// `response: {status, data}` for HTTP-like operations).
#[derive(Clone, Debug, PartialEq)]
pub struct HostCallError {
    /// The JS error's `name`.
    pub name: String,
    /// The JS error's `message`.
    pub message: String,
    /// More properties for the JS error.
    pub data: Map<String, Value>,
}

impl HostCallError {
    /// An error with the given name and message and no extra properties.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> HostCallError {
        HostCallError {
            name: name.into(),
            message: message.into(),
            data: Map::new(),
        }
    }

    /// The error for an operation the host does not offer.
    pub fn unknown_operation(name: &str) -> HostCallError {
        HostCallError::new("HostCallError", format!("unknown host operation '{name}'"))
    }

    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut object = self.data.clone();
        object.insert("name".into(), Value::String(self.name.clone()));
        object.insert("message".into(), Value::String(self.message.clone()));
        serde_json::to_vec(&Value::Object(object)).unwrap_or_else(|_| b"{}".to_vec())
    }
}

/// The future a host call resolves through.
pub type HostCallFuture = Pin<Box<dyn Future<Output = Result<Value, HostCallError>> + Send>>;

/// What guest code may do outside the sandbox. Each invocation is given one;
/// it decides, per operation name, what is granted.
pub trait HostCalls: Send + Sync + 'static {
    /// Performs `call`. Runs concurrently with the invocation's other calls.
    fn call(&self, call: HostCall) -> HostCallFuture;

    /// Whether a call named `name` counts toward the invocation's
    /// [`Limits::max_host_calls`](crate::Limits::max_host_calls).
    /// Operations bounded by budgets of their own (a socket's reads and
    /// writes, bounded by bytes) may opt out; every call still counts toward
    /// [`MAX_HOST_CALLS`].
    fn metered(&self, name: &str) -> bool {
        let _ = name;
        true
    }
}

/// Host calls an invocation may start in all, metered or not.
pub const MAX_HOST_CALLS: u32 = 100_000;

/// Grants nothing: every operation fails as unknown.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHostCalls;

impl NoHostCalls {
    /// A shared instance.
    pub fn shared() -> Arc<dyn HostCalls> {
        static SHARED: OnceLock<Arc<dyn HostCalls>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(NoHostCalls)).clone()
    }
}

impl HostCalls for NoHostCalls {
    fn call(&self, call: HostCall) -> HostCallFuture {
        let error = HostCallError::unknown_operation(&call.name);
        Box::pin(async move { Err(error) })
    }
}
