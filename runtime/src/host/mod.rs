//! What an invocation may do outside its sandbox, and the log of what it
//! did: `platform` (its application's Platform API, see
//! [`crate::platform`]), `fetch` (the internet over HTTP, see
//! [`crate::fetch`]) and `net.*` (TCP and TLS connections, see
//! [`crate::sockets`]). Nothing else is granted.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sandbox::{HostCall, HostCallError, HostCallFuture, HostCalls};
use serde_json::{Value, json};

use crate::fetch::FetchClient;
use crate::invocation::CallRecord;
use crate::platform::{self, PlatformClient, Target};
use crate::sockets::{InvocationSockets, SocketClient};

/// The host calls of one invocation.
pub(crate) struct InvocationHost {
    platform: Arc<PlatformClient>,
    target: Option<Arc<Target>>,
    fetch: Arc<FetchClient>,
    fetches: AtomicU32,
    sockets: InvocationSockets,
    records: Arc<Mutex<Vec<CallRecord>>>,
}

impl InvocationHost {
    /// `target` is `None` when the application has no platform URL: calls
    /// then fail with a message that says how to set one.
    pub(crate) fn new(
        platform: Arc<PlatformClient>,
        target: Option<Arc<Target>>,
        fetch: Arc<FetchClient>,
        sockets: Arc<SocketClient>,
    ) -> InvocationHost {
        InvocationHost {
            platform,
            target,
            fetch,
            fetches: AtomicU32::new(0),
            sockets: InvocationSockets::new(sockets),
            records: Arc::default(),
        }
    }

    /// The calls made so far, in the order they finished.
    pub(crate) fn records(&self) -> Vec<CallRecord> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl HostCalls for InvocationHost {
    /// A socket's reads and writes are bounded by the socket budget (bytes,
    /// connections), not by the host-call count: a Redis session makes a
    /// call per command.
    fn metered(&self, name: &str) -> bool {
        !matches!(name, "net.read" | "net.write")
    }

    fn call(&self, call: HostCall) -> HostCallFuture {
        let records = Arc::clone(&self.records);
        let finish = move |(result, record): (Result<Value, HostCallError>, Option<CallRecord>)| {
            if let Some(record) = record {
                tracing::debug!(
                    method = %record.method, path = %record.path, status = ?record.status,
                    ms = record.duration_ms, "outbound call"
                );
                records
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(record);
            }
            result
        };
        match call.name.as_str() {
            "platform" => {
                let client = Arc::clone(&self.platform);
                let target = self.target.clone();
                Box::pin(async move {
                    finish(platform::call(&client, target.as_deref(), call.args.get()).await)
                })
            }
            "fetch" => {
                let made = self.fetches.fetch_add(1, Ordering::Relaxed);
                let fetch = Arc::clone(&self.fetch);
                if made >= fetch.limits.max_requests {
                    let mut error = HostCallError::new(
                        "FetchError",
                        format!(
                            "an invocation may make at most {} fetch requests",
                            fetch.limits.max_requests
                        ),
                    );
                    error.data.insert("code".into(), json!("ERR_FETCH_LIMIT"));
                    return Box::pin(async move { Err(error) });
                }
                Box::pin(async move { finish(fetch.call(call.args.get()).await) })
            }
            name if name.starts_with("net.") => {
                let call = self.sockets.call(&name["net.".len()..], call.args.get());
                Box::pin(async move { finish(call.await) })
            }
            other => {
                let error = HostCallError::unknown_operation(other);
                Box::pin(async move { Err(error) })
            }
        }
    }
}
