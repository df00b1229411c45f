//! PostgreSQL, shared by any number of nodes.
//!
//! The store's traits are synchronous; this backend runs the async client
//! (tokio-postgres, pooled by deadpool) on a small runtime of its own and
//! blocks the calling storage thread on each call. So connections are
//! driven however busy the service's threads are, and a storage call never
//! runs on them. One file per resource implements its trait, as for
//! SQLite; `target` parses URLs and sets up TLS.
//!
//! What several nodes need from it: ids from one sequence row, claims with
//! `FOR UPDATE SKIP LOCKED`, migrations under an advisory lock, and a
//! `LISTEN` connection that turns other nodes' writes into [`Change`]s.

mod applications;
mod functions;
mod invocations;
mod jobs;
mod runtimes;
mod target;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use tokio::sync::broadcast;
use tokio_postgres::error::SqlState;

pub(crate) use target::PostgresTarget;

use super::schema::{MIGRATIONS, check_not_newer};
use super::{Announced, Change, Shared, StoreError, StoreResult};

/// Connections per node: storage calls run on a bounded blocking pool, and
/// most are short.
const POOL_SIZE: usize = 16;
/// How long a call waits for a connection, and for its answer: past it the
/// database counts as unreachable (a 503 to clients) rather than a request
/// hanging.
const CONNECT_WAIT: Duration = Duration::from_secs(5);
const ANSWER_WAIT: Duration = Duration::from_secs(30);
/// Subscribes to the channels changes are announced on: settings by the
/// schema's triggers, invocations by the nodes that change them.
const LISTEN: &str = "LISTEN chatfn_changes; LISTEN chatfn_invocations";
const CHANGES: &str = "chatfn_changes";
const INVOCATIONS: &str = "chatfn_invocations";
/// A notification's payload must stay under PostgreSQL's 8000 bytes.
const MAX_PAYLOAD: usize = 7900;
/// The advisory lock nodes take to migrate one at a time ("chatfn" in hex).
const MIGRATION_LOCK: i64 = 0x6368_6174_666e;

/// The service's data in a PostgreSQL database.
pub(crate) struct PostgresStore {
    pool: Pool,
    /// Drives the client's connections; shut down without waiting on drop.
    runtime: Option<tokio::runtime::Runtime>,
    changes: broadcast::Sender<Change>,
    announced: broadcast::Sender<Announced>,
}

impl PostgresStore {
    /// Connects, brings the schema up to date and starts listening for
    /// changes. Blocks: call it off the async threads.
    pub(crate) fn open(target: &PostgresTarget) -> StoreResult<PostgresStore> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("chatfn-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::database("starting the PostgreSQL client", e))?;
        let tls = target.tls().map_err(StoreError::Schema)?;
        let manager = Manager::from_config(
            target.config.clone(),
            tls.clone(),
            ManagerConfig {
                // A broken connection shows on first use; the pool drops it.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = {
            let _entered = runtime.enter();
            Pool::builder(manager)
                .max_size(POOL_SIZE)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(CONNECT_WAIT))
                .create_timeout(Some(CONNECT_WAIT))
                .recycle_timeout(Some(CONNECT_WAIT))
                .build()
                .map_err(|e| StoreError::database("making the connection pool", e))?
        };
        let (changes, _) = broadcast::channel(1024);
        let (announced, _) = broadcast::channel(1024);
        let store = PostgresStore {
            pool,
            runtime: Some(runtime),
            changes,
            announced,
        };
        store.run(migrate)?;
        let feeds = Feeds {
            changes: store.changes.clone(),
            announced: store.announced.clone(),
        };
        store
            .handle()
            .spawn(listen(target.config.clone(), tls, feeds));
        Ok(store)
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        // Only `Drop` takes the runtime.
        self.runtime
            .as_ref()
            .map(tokio::runtime::Runtime::handle)
            .expect("the runtime lives as long as the store")
    }

    /// Runs `f` with a pooled connection on the client's runtime, waiting
    /// for it here.
    fn run<T, F, Fut>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(deadpool_postgres::Client) -> Fut,
        Fut: Future<Output = StoreResult<T>>,
    {
        self.handle().block_on(async {
            let client = self.pool.get().await.map_err(pool_error)?;
            tokio::time::timeout(ANSWER_WAIT, f(client))
                .await
                .unwrap_or_else(|_| {
                    Err(StoreError::Unavailable(format!(
                        "no answer within {} s",
                        ANSWER_WAIT.as_secs()
                    )))
                })
        })
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Shared for PostgresStore {
    fn changes(&self) -> Option<broadcast::Receiver<Change>> {
        Some(self.changes.subscribe())
    }

    fn announced(&self) -> Option<broadcast::Receiver<Announced>> {
        Some(self.announced.subscribe())
    }

    /// One round trip, however many notifications the ids need.
    fn announce(&self, from: &str, app: i64, ids: &[i64]) -> StoreResult<()> {
        let payloads = announcements(from, app, ids);
        if payloads.is_empty() {
            return Ok(());
        }
        self.run(|client| async move {
            client
                .execute(
                    "SELECT pg_notify('chatfn_invocations', p) FROM unnest($1::text[]) AS p",
                    &[&payloads],
                )
                .await?;
            Ok(())
        })
    }

    fn ping(&self) -> StoreResult<()> {
        self.run(|client| async move {
            client.simple_query("SELECT 1").await?;
            Ok(())
        })
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        if let Some(code) = e.code() {
            if [
                SqlState::T_R_SERIALIZATION_FAILURE,
                SqlState::T_R_DEADLOCK_DETECTED,
                SqlState::LOCK_NOT_AVAILABLE,
                SqlState::TOO_MANY_CONNECTIONS,
            ]
            .contains(code)
            {
                return StoreError::Busy;
            }
            if [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
            ]
            .contains(code)
            {
                return StoreError::Unavailable(crate::outbound::describe(&e));
            }
            return StoreError::database("PostgreSQL failed", e);
        }
        if e.is_closed() || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>())
        {
            return StoreError::Unavailable(crate::outbound::describe(&e));
        }
        StoreError::database("PostgreSQL failed", e)
    }
}

fn pool_error(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => e.into(),
        PoolError::Timeout(_) => {
            StoreError::Unavailable(format!("no connection within {} s", CONNECT_WAIT.as_secs()))
        }
        PoolError::Closed => StoreError::Stopped,
        other => StoreError::Unavailable(other.to_string()),
    }
}

/// Brings the database up to this build's schema, one node at a time (an
/// advisory lock held for the transaction); refuses a newer schema. DDL is
/// transactional in PostgreSQL, so a failed migration leaves nothing half
/// done.
async fn migrate(mut client: deadpool_postgres::Client) -> StoreResult<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS chatfn_schema (version BIGINT NOT NULL);
         INSERT INTO chatfn_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM chatfn_schema);",
    )
    .await?;
    let applied: i64 = tx
        .query_one("SELECT version FROM chatfn_schema", &[])
        .await?
        .get(0);
    let applied = usize::try_from(applied).unwrap_or(0);
    check_not_newer(applied)?;
    for migration in &MIGRATIONS[applied..] {
        tx.batch_execute(migration.postgres).await?;
    }
    if applied < MIGRATIONS.len() {
        let version = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        tx.execute("UPDATE chatfn_schema SET version = $1", &[&version])
            .await?;
        tracing::info!(
            from = applied,
            to = version,
            "migrated the PostgreSQL schema"
        );
    }
    tx.commit().await?;
    Ok(())
}

/// Listens for changes on a connection of its own, for the store's life.
/// After a connection is lost it reconnects and reports [`Change::Unknown`]
/// (what changed meanwhile went unheard).
/// Where what is heard goes.
struct Feeds {
    changes: broadcast::Sender<Change>,
    announced: broadcast::Sender<Announced>,
}

/// `from app id,id,…` payloads, each within [`MAX_PAYLOAD`].
fn announcements(from: &str, app: i64, ids: &[i64]) -> Vec<String> {
    let head = format!("{from} {app} ");
    let mut payloads = Vec::new();
    let mut payload = String::new();
    for id in ids {
        let id = id.to_string();
        if !payload.is_empty() && payload.len() + 1 + id.len() > MAX_PAYLOAD {
            payloads.push(std::mem::take(&mut payload));
        }
        if payload.is_empty() {
            payload.push_str(&head);
        } else {
            payload.push(',');
        }
        payload.push_str(&id);
    }
    if !payload.is_empty() {
        payloads.push(payload);
    }
    payloads
}

/// Reads an [`announcements`] payload; `None` if it is not one.
fn announced(payload: &str) -> Option<Announced> {
    let mut parts = payload.splitn(3, ' ');
    let from = parts.next()?.to_owned();
    let app = parts.next()?.parse().ok()?;
    let ids = parts
        .next()?
        .split(',')
        .map(str::parse)
        .collect::<Result<Vec<i64>, _>>()
        .ok()?;
    Some(Announced { from, app, ids })
}

async fn listen(
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    feeds: Feeds,
) {
    let mut heard_before = false;
    loop {
        let e = listen_once(&config, tls.clone(), &feeds, &mut heard_before).await;
        tracing::warn!("listening for changes from other nodes: {e}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// One connection's worth of [`listen`]; returns why it ended.
async fn listen_once(
    config: &tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    feeds: &Feeds,
    heard_before: &mut bool,
) -> StoreError {
    use std::task::Poll;
    let (client, mut connection) = match config.connect(tls).await {
        Ok(pair) => pair,
        Err(e) => return e.into(),
    };
    {
        // The connection must be polled for the LISTEN to be answered.
        let mut listening = std::pin::pin!(client.batch_execute(LISTEN));
        let ready = std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = listening.as_mut().poll(cx) {
                return Poll::Ready(result.map_err(StoreError::from));
            }
            match connection.poll_message(cx) {
                Poll::Ready(Some(Err(e))) => Poll::Ready(Err(e.into())),
                Poll::Ready(None) => {
                    Poll::Ready(Err(StoreError::Unavailable("the connection closed".into())))
                }
                _ => Poll::Pending,
            }
        })
        .await;
        if let Err(e) = ready {
            return e;
        }
    }
    if *heard_before {
        tracing::info!("listening for changes from other nodes again");
        let _ = feeds.changes.send(Change::Unknown);
    }
    *heard_before = true;
    let e = hear(&mut connection, feeds).await;
    let _ = feeds.changes.send(Change::Unknown);
    drop(client);
    e
}

/// Passes on notifications until the connection fails.
async fn hear<S, T>(connection: &mut tokio_postgres::Connection<S, T>, feeds: &Feeds) -> StoreError
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) if n.channel() == CHANGES => {
                let change = n
                    .payload()
                    .parse()
                    .map_or(Change::Unknown, Change::Application);
                // No receivers (yet) is fine.
                let _ = feeds.changes.send(change);
            }
            Some(Ok(tokio_postgres::AsyncMessage::Notification(n)))
                if n.channel() == INVOCATIONS =>
            {
                match announced(n.payload()) {
                    Some(announced) => {
                        let _ = feeds.announced.send(announced);
                    }
                    None => tracing::warn!(
                        "an invocation announcement that does not parse: {:?}",
                        n.payload()
                    ),
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return e.into(),
            None => return StoreError::Unavailable("the connection closed".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_fit_a_notification_and_read_back() {
        let ids: Vec<i64> = (1_000_000_000..1_000_002_000).collect();
        let payloads = announcements("ab12cd34", 7, &ids);
        assert!(payloads.len() > 1, "2,000 ids need several notifications");
        let mut read = Vec::new();
        for payload in &payloads {
            assert!(payload.len() <= MAX_PAYLOAD, "{}", payload.len());
            let announced = announced(payload).expect("it parses");
            assert_eq!((announced.from.as_str(), announced.app), ("ab12cd34", 7));
            read.extend(announced.ids);
        }
        assert_eq!(read, ids);
        assert!(announcements("n", 1, &[]).is_empty());
        for bad in ["", "n", "n 1", "n x 1", "n 1 1,x"] {
            assert_eq!(announced(bad), None, "{bad:?}");
        }
    }
}
