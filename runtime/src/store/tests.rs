//! One suite, two backends: every test here runs against SQLite and
//! against PostgreSQL. PostgreSQL comes from `CHATFN_TEST_DATABASE_URL`
//! (`scripts/test` starts a throwaway cluster and sets it); each test gets
//! a schema of its own. Without the variable the PostgreSQL half is
//! skipped, except under CI, where that is a failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sandbox::{GuestError, LogEntry, LogLevel};
use serde_json::value::RawValue;

use super::postgres::PostgresTarget;
use super::*;
use crate::invocation::{
    CallRecord, FailureKind, Invocation, InvocationError, InvocationStatus, Pending,
};

/// A fresh database of one backend.
trait Backend: Sync {
    /// A store on the database (each call opens another, as another node
    /// would).
    fn open(&self) -> StoreResult<Arc<dyn Store>>;
    /// Runs statements directly (SQL both dialects accept).
    fn execute(&self, sql: &str);
    /// Pretends a newer build migrated the database.
    fn set_schema_version(&self, version: i64);
}

struct Sqlite {
    dir: tempfile::TempDir,
}

impl Sqlite {
    fn new() -> Sqlite {
        Sqlite {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("chatfn.db")
    }
}

impl Backend for Sqlite {
    fn open(&self) -> StoreResult<Arc<dyn Store>> {
        Ok(Arc::new(SqliteStore::open_file(&self.path())?))
    }

    fn execute(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.path()).expect("opens");
        conn.execute_batch(sql).expect("runs");
    }

    fn set_schema_version(&self, version: i64) {
        self.execute(&format!("PRAGMA user_version = {version}"));
    }
}

/// A schema of its own in the test cluster, dropped afterwards.
struct Postgres {
    url: String,
    schema: String,
    target: PostgresTarget,
}

impl Postgres {
    fn new() -> Option<Postgres> {
        let Ok(base) = std::env::var("CHATFN_TEST_DATABASE_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs the PostgreSQL suite: set CHATFN_TEST_DATABASE_URL (scripts/test does)"
            );
            eprintln!("skipped: CHATFN_TEST_DATABASE_URL is not set");
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let schema = format!(
            "test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        let Ok(Database::Postgres(target)) = Database::parse(&url) else {
            panic!("CHATFN_TEST_DATABASE_URL is not a postgres:// URL");
        };
        let db = Postgres {
            url,
            schema,
            target: *target,
        };
        db.admin(&format!(
            "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}",
            db.schema
        ));
        Some(db)
    }

    /// Runs `sql` on a connection of its own.
    fn admin(&self, sql: &str) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let tls = self.target.tls().expect("TLS settings");
            let (client, connection) = self.target.config.connect(tls).await.expect("connects");
            let driver = tokio::spawn(connection);
            client.batch_execute(sql).await.expect("runs");
            drop(client);
            let _ = driver.await;
        });
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.admin(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

impl Backend for Postgres {
    fn open(&self) -> StoreResult<Arc<dyn Store>> {
        let Ok(Database::Postgres(target)) = Database::parse(&self.url) else {
            unreachable!("parsed in new()");
        };
        Ok(Arc::new(PostgresStore::open(&target)?))
    }

    fn execute(&self, sql: &str) {
        self.admin(sql);
    }

    fn set_schema_version(&self, version: i64) {
        self.execute(&format!("UPDATE chatfn_schema SET version = {version}"));
    }
}

/// Each test, once per backend.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&super::Sqlite::new());
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                if let Some(db) = super::Postgres::new() {
                    super::$name(&db);
                }
            })*
        }
    };
}

suite!(
    data_is_scoped_to_its_application,
    keys_rotate_read_only_and_go_with_their_application,
    secrets_are_set_removed_and_bounded,
    versions_number_up_and_roll_back,
    runtime_changes_make_revisions,
    records_read_back_as_written,
    a_row_this_build_cannot_read_fully_still_reads,
    a_later_attempt_updates_its_record_but_never_another_functions,
    a_queued_record_is_readable_at_once_and_follows_its_job,
    a_batch_may_carry_one_record_twice,
    invocations_page_and_filter,
    statistics_read_a_functions_runs_from_a_time,
    app_wide_lists_filter_sort_and_page_by_cursor,
    id_blocks_never_overlap_even_across_nodes,
    idempotency_keys_return_the_first_job,
    claims_are_oldest_first_exclusive_and_leased,
    claims_take_applications_in_rounds,
    a_released_job_keeps_its_attempts,
    nodes_claiming_at_once_never_share_a_job,
    outcomes_commit_with_their_records_and_stale_attempts_are_ignored,
    retries_wait_failures_stay_until_redriven,
    replaced_attempts_are_kept_whole,
    heartbeats_keep_only_their_owners_leases_alive,
    nodes_opening_one_new_database_together_migrate_it_once,
    a_newer_schema_is_refused,
    the_database_answers_pings,
);

fn store(db: &impl Backend) -> Arc<dyn Store> {
    db.open().expect("a store")
}

/// Applications "a" and "b", with keys hashing to `[1; 32]` and `[2; 32]`.
fn two_applications(s: &dyn Store) -> (Application, Application) {
    let a = s
        .create_application("a", &[1; 32], None, None)
        .expect("creates");
    let b = s
        .create_application("b", &[2; 32], None, None)
        .expect("creates");
    (a, b)
}

fn page(size: u64) -> PageRequest {
    PageRequest {
        number: 0,
        size,
        sort: Sort {
            key: SortKey::Id,
            descending: false,
        },
        then: None,
    }
}

fn new_function(trigger: &str) -> NewFunction {
    NewFunction {
        trigger: trigger.into(),
        name: "f".into(),
        description: None,
        timeout_ms: 5000,
        instance_reuse: InstanceReuse::None,
    }
}

fn keys_rotate_read_only_and_go_with_their_application(db: &impl Backend) {
    let s = store(db);
    let (a, b) = two_applications(&*s);
    let holder = |hash: u8| s.application_by_key(&[hash; 32]).expect("reads");
    let first = holder(1).expect("the first key works");
    assert_eq!(
        (first.application.id, first.read_only, first.expires_ms),
        (a.id, false, None)
    );
    assert!(s.add_key(a.id, &[3; 32], true).expect("adds"));
    assert!(!s.add_key(999, &[4; 32], true).expect("adds"), "no app 999");
    assert!(holder(3).expect("a read-only key").read_only);
    // Rotation with a grace period: the old key lives on until then.
    let now = crate::time::now_ms();
    assert!(s.rotate_key(a.id, &[5; 32], now + 10_000).expect("rotates"));
    let old = holder(1).expect("still there");
    assert_eq!(old.expires_ms, Some(now + 10_000));
    assert!(old.valid_at(now) && !old.valid_at(now + 10_000));
    assert_eq!(holder(5).expect("the new key").expires_ms, None);
    assert_eq!(holder(3).expect("read-only kept").expires_ms, None);
    // Rotation without one ends every other full key at once.
    assert!(s.rotate_key(a.id, &[6; 32], 0).expect("rotates"));
    assert!(holder(1).is_none() && holder(5).is_none());
    assert!(holder(6).is_some() && holder(3).is_some());
    assert!(!s.rotate_key(999, &[7; 32], 0).expect("rotates"));
    // Deleting an application takes everything of it, nothing of others.
    let f = s
        .create_function(a.id, new_function("user.sent.message"))
        .expect("creates");
    s.create_version(a.id, f.id, "x", true).expect("creates");
    s.enqueue_jobs(&[job(1, a.id, None)]).expect("enqueues");
    assert!(s.delete_application(a.id).expect("deletes"));
    assert!(!s.delete_application(a.id).expect("deletes"), "gone");
    assert!(holder(6).is_none() && holder(3).is_none());
    assert!(s.application(a.id).expect("reads").is_none());
    assert!(s.function(a.id, f.id).expect("reads").is_none());
    assert!(s.invocation(a.id, 1).expect("reads").is_none());
    assert_eq!(s.queue_totals().expect("counts").queued, 0);
    assert_eq!(holder(2).expect("b's key").application.id, b.id);
}

fn secrets_are_set_removed_and_bounded(db: &impl Backend) {
    let s = store(db);
    let (a, b) = two_applications(&*s);
    let set = |name: &str, value: &[u8]| (name.to_owned(), Some(value.to_vec()));
    s.change_secrets(a.id, &[set("B", b"2"), set("A", b"1")], 3)
        .expect("sets");
    s.change_secrets(a.id, &[set("A", b"one"), ("B".into(), None)], 3)
        .expect("changes");
    let secrets = s.secrets(a.id).expect("reads");
    let names: Vec<(&str, &[u8])> = secrets
        .iter()
        .map(|x| (x.name.as_str(), x.sealed.as_slice()))
        .collect();
    assert_eq!(names, [("A", b"one".as_slice())]);
    assert!(
        s.secrets(b.id).expect("reads").is_empty(),
        "per application"
    );
    // Past the bound, nothing of the change is kept.
    let over = s.change_secrets(a.id, &[set("C", b""), set("D", b""), set("E", b"")], 3);
    assert!(matches!(over, Err(StoreError::Conflict(_))), "{over:?}");
    assert_eq!(s.secrets(a.id).expect("reads").len(), 1);
    assert!(s.delete_application(a.id).expect("deletes"));
    assert!(s.secrets(a.id).expect("reads").is_empty());
}

fn data_is_scoped_to_its_application(db: &impl Backend) {
    let s = store(db);
    let (a, b) = two_applications(&*s);
    let f = s
        .create_function(a.id, new_function("user.sent.message"))
        .expect("creates");
    let v = s
        .create_version(a.id, f.id, "x", true)
        .expect("creates")
        .expect("a version");
    assert_eq!(v.number, 1);
    assert!(s.function(b.id, f.id).expect("reads").is_none());
    assert!(s.version(b.id, v.id).expect("reads").is_none());
    assert!(
        s.create_version(b.id, f.id, "y", true)
            .expect("writes")
            .is_none()
    );
    assert!(
        s.list_versions(b.id, f.id, page(10))
            .expect("reads")
            .is_none()
    );
    assert!(
        s.set_current_version(b.id, f.id, 1)
            .expect("writes")
            .is_none()
    );
    assert_eq!(s.list_functions(b.id, page(10)).expect("reads").total, 0);
    assert_eq!(
        s.application_by_key(&[2; 32])
            .expect("reads")
            .map(|k| k.application.name.clone()),
        Some("b".into())
    );
    assert!(matches!(
        s.create_function(a.id, new_function("user.sent.message")),
        Err(StoreError::Conflict(_))
    ));
    let patched = s
        .update_application(
            a.id,
            ApplicationPatch {
                platform_url: Some(Some("https://api.example".into())),
                ..ApplicationPatch::default()
            },
        )
        .expect("writes")
        .expect("exists");
    assert_eq!(patched.platform_url.as_deref(), Some("https://api.example"));
    assert_eq!(
        s.applications()
            .expect("reads")
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [a.id, b.id]
    );
}

fn versions_number_up_and_roll_back(db: &impl Backend) {
    let s = store(db);
    let app = s
        .create_application("a", &[1; 32], None, None)
        .expect("creates");
    let f = s
        .create_function(app.id, new_function("user.attempted.start_session"))
        .expect("creates");
    for n in 1..=3 {
        let v = s
            .create_version(app.id, f.id, &format!("v{n}"), n < 3)
            .expect("creates")
            .expect("a version");
        assert_eq!(v.number, n);
    }
    // Version 3 was staged: stored, not current.
    let current = s.function(app.id, f.id).expect("reads").expect("exists");
    assert_eq!(current.current_version, Some(2));
    let staged = s
        .set_current_version(app.id, f.id, 3)
        .expect("writes")
        .expect("exists");
    assert_eq!(staged.current_version, Some(3));
    let rolled = s
        .set_current_version(app.id, f.id, 1)
        .expect("writes")
        .expect("exists");
    assert_eq!(rolled.current_version, Some(1));
    assert!(
        s.set_current_version(app.id, f.id, 9)
            .expect("writes")
            .is_none()
    );
    let v1 = s
        .version_by_number(app.id, f.id, 1)
        .expect("reads")
        .expect("exists");
    assert_eq!(v1.handler_script, "v1");
    let descending = PageRequest {
        sort: Sort {
            key: SortKey::VersionNumber,
            descending: true,
        },
        ..page(2)
    };
    let listed = s
        .list_versions(app.id, f.id, descending)
        .expect("reads")
        .expect("exists");
    assert_eq!(
        (
            listed.total,
            listed.items.iter().map(|v| v.number).collect::<Vec<_>>()
        ),
        (3, vec![3, 2])
    );
    let patched = s
        .update_function(
            app.id,
            f.id,
            FunctionPatch {
                enabled: Some(false),
                timeout_ms: Some(1234),
                instance_reuse: Some(InstanceReuse::Sequential),
                ..FunctionPatch::default()
            },
        )
        .expect("writes")
        .expect("exists");
    assert!(!patched.enabled);
    let read = s
        .function_for_trigger(app.id, "user.attempted.start_session")
        .expect("reads")
        .expect("exists");
    assert_eq!(
        (read.enabled, read.timeout_ms, read.instance_reuse),
        (false, 1234, InstanceReuse::Sequential)
    );
    assert_eq!(f.instance_reuse, InstanceReuse::None, "the default");
}

fn runtime_changes_make_revisions(db: &impl Backend) {
    let s = store(db);
    let app = s
        .create_application("a", &[1; 32], None, None)
        .expect("creates");
    assert_eq!(s.runtime(app.id).expect("reads").revision, 0);
    let env = BTreeMap::from([("K".to_owned(), "v".to_owned())]);
    s.update_runtime(app.id, RuntimeChange::Environment(env.clone()))
        .expect("writes");
    let deps = vec![Dependency {
        name: "left-pad".into(),
        version: "1.3.0".into(),
    }];
    let changed = s
        .update_runtime(
            app.id,
            RuntimeChange::Dependencies(deps.clone(), Some("{}".into())),
        )
        .expect("writes");
    assert_eq!(changed.revision, 2);
    let read = s.runtime(app.id).expect("reads");
    assert_eq!(
        (
            read.revision,
            &read.environment,
            &read.dependencies,
            read.lockfile.as_deref()
        ),
        (2, &env, &deps, Some("{}"))
    );
    s.update_runtime(app.id, RuntimeChange::InitializationScript("  ".into()))
        .expect("writes");
    assert_eq!(
        s.runtime(app.id).expect("reads").initialization_script,
        None
    );
}

fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).expect("JSON")
}

fn record(id: i64, outcome: Option<Result<Box<RawValue>, InvocationError>>) -> Invocation {
    Invocation {
        id,
        app_id: 1,
        function_id: 2,
        version_number: 3,
        trigger: "user.attempted.start_session".into(),
        test: false,
        args: raw(r#"{"username":"ada"}"#),
        outcome,
        logs: vec![LogEntry {
            level: LogLevel::Warn,
            message: "hi".into(),
        }],
        calls: vec![CallRecord::new(
            "GET",
            "/v1/users".into(),
            Some(200),
            1.5,
            None,
        )],
        created_ms: 10,
        ended_ms: Some(12),
        duration_ms: Some(2.0),
        attempts: 1,
        pending: None,
        started_ms: Some(10),
        warm: Some(true),
        reused: Some(false),
        start_ms: Some(0.5),
        past_attempts: Vec::new(),
    }
}

fn statistics_read_a_functions_runs_from_a_time(db: &impl Backend) {
    let s = store(db);
    let ok = || Some(Ok(raw("1")));
    let mut records = Vec::new();
    for (id, created_ms, function, test, outcome) in [
        (1, 100, 2, false, ok()),
        (
            2,
            200,
            2,
            false,
            Some(Err(InvocationError {
                kind: FailureKind::Timeout,
                error: GuestError::new("TimeoutError", "late"),
            })),
        ),
        (3, 300, 2, true, ok()),
        (4, 400, 9, false, ok()),
        (5, 50, 2, false, ok()),
    ] {
        let mut r = record(id, outcome);
        r.created_ms = created_ms;
        r.function_id = function;
        r.test = test;
        r.warm = (id != 2).then_some(true);
        r.duration_ms = Some(id as f64);
        records.push(r);
    }
    s.put_invocations(&records).expect("written");
    let samples = s.run_samples(1, 2, 100).expect("read");
    assert_eq!(
        samples,
        [
            RunSample {
                created_ms: 100,
                status: InvocationStatus::Succeeded,
                duration_ms: Some(1.0),
                warm: Some(true),
            },
            RunSample {
                created_ms: 200,
                status: InvocationStatus::Failed,
                duration_ms: Some(2.0),
                warm: None,
            },
        ],
        "test runs, other functions and older runs are left out"
    );
    assert!(
        s.run_samples(7, 2, 0).expect("read").is_empty(),
        "another application's"
    );
}

fn records_read_back_as_written(db: &impl Backend) {
    let s = store(db);
    let failed = InvocationError {
        kind: FailureKind::Timeout,
        error: GuestError::new("TimeoutError", "too slow"),
    };
    s.put_invocations(&[
        record(1, Some(Ok(raw(r#"{"b":1,"a":[true]}"#)))),
        record(2, Some(Err(failed.clone()))),
        record(3, None),
    ])
    .expect("writes");
    let read = |id| s.invocation(1, id).expect("reads").expect("a record");
    let ok = read(1);
    assert_eq!(
        ok.result().map(RawValue::get),
        Some(r#"{"b":1,"a":[true]}"#)
    );
    assert_eq!(ok.status(), InvocationStatus::Succeeded);
    assert_eq!(ok.logs, record(1, None).logs);
    assert_eq!(ok.calls, record(1, None).calls);
    assert_eq!(ok.args.get(), r#"{"username":"ada"}"#);
    assert_eq!(
        (ok.created_ms, ok.ended_ms, ok.duration_ms),
        (10, Some(12), Some(2.0))
    );
    assert_eq!(
        (ok.started_ms, ok.warm, ok.reused, ok.start_ms),
        (Some(10), Some(true), Some(false), Some(0.5))
    );
    assert!(ok.past_attempts.is_empty());
    assert_eq!(read(2).error(), Some(&failed));
    assert_eq!(read(3).status(), InvocationStatus::Running);
    assert!(
        s.invocation(2, 1).expect("reads").is_none(),
        "another application's"
    );
}

fn a_row_this_build_cannot_read_fully_still_reads(db: &impl Backend) {
    let s = store(db);
    db.execute(
        r#"INSERT INTO invocations (id, app_id, function_id, version_number, trigger, test, args, result, error, status, logs, created_ms, calls, attempts)
           VALUES (7, 1, 2, 1, 't', FALSE, '{}', NULL, '{"type":"SOME_NEW_KIND","name":"E","message":"m"}', 'FAILED', 'not json', 0, '[{"odd":1}]', 1)"#,
    );
    let page = s
        .list_invocations(1, &InvocationFilter::default(), page(10))
        .expect("reads");
    let odd = &page.items[0];
    let error = odd.error().expect("an error");
    assert_eq!(
        (error.kind, error.error.message.as_str()),
        (FailureKind::Crash, "m")
    );
    assert!(odd.logs.is_empty() && odd.calls.is_empty());
}

fn a_later_attempt_updates_its_record_but_never_another_functions(db: &impl Backend) {
    let s = store(db);
    s.put_invocations(&[record(1, None)]).expect("writes");
    let mut second = record(1, Some(Ok(raw("2"))));
    second.attempts = 2;
    s.put_invocations(&[second]).expect("writes");
    let read = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(
        (read.attempts, read.result().map(RawValue::get)),
        (2, Some("2"))
    );
    let mut intruder = record(1, Some(Ok(raw("\"mine\""))));
    intruder.function_id = 99;
    s.put_invocations(&[intruder]).expect("writes");
    let read = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(
        (read.function_id, read.result().map(RawValue::get)),
        (2, Some("2"))
    );
}

fn a_queued_record_is_readable_at_once_and_follows_its_job(db: &impl Backend) {
    let s = store(db);
    let status = |id| {
        let r = s.invocation(1, id).expect("reads").expect("a record");
        (r.status(), r.attempts)
    };
    let mut first = job(1, 1, Some("k"));
    first.created_ms = 77;
    s.enqueue_jobs(&[first, job(2, 1, Some("k"))])
        .expect("enqueues");
    let queued = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(
        (queued.status(), queued.attempts, queued.created_ms),
        (InvocationStatus::Queued, 0, 77)
    );
    assert_eq!(
        (queued.args.get(), queued.trigger.as_str()),
        (r#"{"n":1}"#, "user.sent.message")
    );
    assert!(
        s.invocation(1, 2).expect("reads").is_none(),
        "a repeated key has no record of its own"
    );

    let claimed = s.claim_jobs("node", 100, 1000, 10, &[]).expect("claims");
    assert_eq!(claimed[0].trigger, "user.sent.message");
    assert_eq!(status(1), (InvocationStatus::Running, 1));
    let mut failed = job_record(1, 1).expect("a record");
    failed.outcome = Some(Err(InvocationError {
        kind: FailureKind::Exception,
        error: GuestError::new("Error", "flaky"),
    }));
    failed.pending = Some(crate::invocation::Pending::Retrying);
    let retry = JobEnd::Retry {
        at_ms: 500,
        error: "flaky".into(),
    };
    s.end_jobs(&[outcome(1, 1, retry, Some(failed.clone()))])
        .expect("ends");
    let retrying = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(retrying.status(), InvocationStatus::Retrying);
    assert_eq!(
        retrying.error().map(|e| e.error.message.as_str()),
        Some("flaky")
    );
    assert_eq!(retrying.created_ms, 77, "an attempt keeps the accept time");

    s.claim_jobs("node", 500, 1000, 10, &[]).expect("claims");
    assert_eq!(status(1), (InvocationStatus::Running, 2));
    failed.attempts = 2;
    failed.pending = None;
    s.end_jobs(&[outcome(
        1,
        2,
        JobEnd::Failed {
            error: "flaky".into(),
        },
        Some(failed),
    )])
    .expect("ends");
    assert_eq!(status(1), (InvocationStatus::Failed, 2));
    assert!(s.redrive_job(1, 1, 600).expect("redrives"));
    assert_eq!(status(1).0, InvocationStatus::Queued);
    let by_status = InvocationFilter {
        status: Some(InvocationStatus::Queued),
        ..InvocationFilter::default()
    };
    assert_eq!(
        s.list_invocations(1, &by_status, page(10))
            .expect("reads")
            .total,
        1
    );
}

fn a_batch_may_carry_one_record_twice(db: &impl Backend) {
    let s = store(db);
    // Started, then finished, before the batch was written.
    s.put_invocations(&[record(5, None), record(5, Some(Ok(raw("true"))))])
        .expect("writes");
    let read = s.invocation(1, 5).expect("reads").expect("a record");
    assert_eq!(read.result().map(RawValue::get), Some("true"));
}

fn invocations_page_and_filter(db: &impl Backend) {
    let s = store(db);
    let mut batch = Vec::new();
    for id in 1..=5 {
        let mut r = record(id, Some(Ok(raw("1"))));
        r.created_ms = id * 100;
        if id % 2 == 0 {
            r.outcome = Some(Err(InvocationError {
                kind: FailureKind::Exception,
                error: GuestError::new("Error", "no"),
            }));
        }
        batch.push(r);
    }
    s.put_invocations(&batch).expect("writes");
    let failed = InvocationFilter {
        function: Some(2),
        status: Some(InvocationStatus::Failed),
        ..InvocationFilter::default()
    };
    let listed = s.list_invocations(1, &failed, page(10)).expect("reads");
    assert_eq!(
        (
            listed.total,
            listed.items.iter().map(|i| i.id).collect::<Vec<_>>()
        ),
        (2, vec![2, 4])
    );
    let window = InvocationFilter {
        from_ms: Some(200),
        to_ms: Some(400),
        ..InvocationFilter::default()
    };
    let newest_first = PageRequest {
        number: 0,
        size: 1,
        sort: Sort {
            key: SortKey::CreatedTime,
            descending: true,
        },
        then: None,
    };
    let listed = s.list_invocations(1, &window, newest_first).expect("reads");
    assert_eq!(
        (
            listed.total,
            listed.items.iter().map(|i| i.id).collect::<Vec<_>>()
        ),
        (2, vec![3])
    );
    // By age first (records 1 and 2 are older than 250), then by count.
    assert_eq!(s.prune_invocations(10, 250).expect("prunes"), 2);
    assert_eq!(s.prune_invocations(2, 0).expect("prunes"), 1);
    let left = s
        .list_invocations(1, &InvocationFilter::default(), page(10))
        .expect("reads");
    assert_eq!(left.items.iter().map(|i| i.id).collect::<Vec<_>>(), [4, 5]);
}

fn app_wide_lists_filter_sort_and_page_by_cursor(db: &impl Backend) {
    let s = store(db);
    // Ids 1..=9 over three functions (2, 3, 4) of application 1, versions
    // alternating, every third a test run; one record of application 2.
    let mut batch = Vec::new();
    for id in 1..=9 {
        let mut r = record(id, Some(Ok(raw("1"))));
        r.function_id = 2 + id % 3;
        r.trigger = [
            "user.sent.message",
            "user.read.message",
            "user.attempted.start_session",
        ][(id % 3) as usize]
            .into();
        r.version_number = 1 + id % 2;
        r.test = id % 3 == 0;
        r.created_ms = 1000 - id * 10;
        batch.push(r);
    }
    let mut other = record(10, Some(Ok(raw("1"))));
    other.app_id = 2;
    batch.push(other);
    s.put_invocations(&batch).expect("writes");
    let ids = |filter: InvocationFilter, page: PageRequest| {
        let listed = s.list_invocations(1, &filter, page).expect("reads");
        (
            listed.total,
            listed.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        )
    };
    let newest = |size| PageRequest {
        sort: Sort {
            key: SortKey::Id,
            descending: true,
        },
        ..page(size)
    };
    assert_eq!(
        ids(InvocationFilter::default(), newest(100)),
        (9, (1..=9).rev().collect())
    );
    let by_trigger = InvocationFilter {
        trigger: Some("user.read.message".into()),
        ..InvocationFilter::default()
    };
    assert_eq!(ids(by_trigger, newest(100)), (3, vec![7, 4, 1]));
    let tests_of_version_2 = InvocationFilter {
        test: Some(true),
        version_number: Some(2),
        ..InvocationFilter::default()
    };
    assert_eq!(ids(tests_of_version_2, newest(100)), (2, vec![9, 3]));
    // Two keys: version descending, then creation time ascending (so, as
    // created_ms falls with the id, larger ids first within a version).
    let two_keys = PageRequest {
        sort: Sort {
            key: SortKey::VersionNumber,
            descending: true,
        },
        then: Some(Sort {
            key: SortKey::CreatedTime,
            descending: false,
        }),
        ..page(100)
    };
    assert_eq!(
        ids(InvocationFilter::default(), two_keys),
        (9, vec![9, 7, 5, 3, 1, 8, 6, 4, 2])
    );
    // A cursor pages on from an id, whatever arrived since.
    let after = |id| InvocationFilter {
        after: Some(id),
        ..InvocationFilter::default()
    };
    assert_eq!(ids(after(7), newest(3)).1, vec![6, 5, 4]);
    assert_eq!(ids(after(7), page(3)).1, vec![8, 9]);
}

fn id_blocks_never_overlap_even_across_nodes(db: &impl Backend) {
    let (s, other) = (store(db), store(db));
    let a = s.allocate_invocation_ids(100).expect("ids");
    let b = other.allocate_invocation_ids(100).expect("ids");
    let c = s.allocate_invocation_ids(1).expect("ids");
    assert_eq!(
        (a.end - a.start, b.end - b.start, c.end - c.start),
        (100, 100, 1)
    );
    assert!(a.end <= b.start && b.end <= c.start, "{a:?} {b:?} {c:?}");
    // Many at once from two nodes: still disjoint.
    let blocks: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = [&s, &other]
            .into_iter()
            .flat_map(|node| {
                (0..4).map(move |_| {
                    scope.spawn(move || {
                        (0..25)
                            .map(|_| node.allocate_invocation_ids(7).expect("ids"))
                            .collect::<Vec<_>>()
                    })
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker"))
            .collect()
    });
    let mut ids: Vec<i64> = blocks.into_iter().flatten().collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((count, ids.len()), (200 * 7, 200 * 7));
}

fn job(id: i64, app: i64, key: Option<&str>) -> NewJob {
    NewJob {
        id,
        app_id: app,
        function_id: 10 * app,
        version_number: 1,
        trigger: "user.sent.message".into(),
        event: format!("{{\"n\":{id}}}"),
        idempotency_key: key.map(str::to_owned),
        created_ms: 0,
    }
}

fn ids(jobs: &[Job]) -> Vec<i64> {
    jobs.iter().map(|j| j.id).collect()
}

fn idempotency_keys_return_the_first_job(db: &impl Backend) {
    let (s, other) = (store(db), store(db));
    let ids = s
        .enqueue_jobs(&[
            job(1, 1, Some("k")),
            job(2, 1, Some("k")),
            job(3, 2, Some("k")),
            job(4, 1, None),
        ])
        .expect("enqueues");
    assert_eq!(ids, [1, 1, 3, 4]);
    // The same key through another node.
    assert_eq!(
        other
            .enqueue_jobs(&[job(5, 1, Some("k"))])
            .expect("enqueues"),
        [1]
    );
    assert_eq!(s.queue_counts(1, 10).expect("counts").queued, 2);
}

fn claims_take_applications_in_rounds(db: &impl Backend) {
    let s = store(db);
    // Application 1's backlog is older than 2's and 3's single jobs.
    let mut jobs: Vec<NewJob> = (1..=10).map(|id| job(id, 1, None)).collect();
    jobs.extend([job(11, 2, None), job(12, 3, None)]);
    s.enqueue_jobs(&jobs).expect("enqueues");
    let claim = |limit, per_app, skip: &[i64], after_app| {
        ids(&s
            .claim(&ClaimRequest {
                owner: "node",
                now_ms: 100,
                lease_ms: 1000,
                limit,
                per_app,
                skip_apps: skip,
                after_app,
            })
            .expect("claims"))
    };
    // One job from each application comes before anyone's second.
    assert_eq!(claim(3, 10, &[], i64::MIN), [1, 11, 12]);
    // The walk starts after the application given, wrapping round.
    s.enqueue_jobs(&[job(13, 2, None), job(14, 3, None)])
        .expect("enqueues");
    assert_eq!(claim(1, 10, &[], 2), [14]);
    assert_eq!(claim(1, 10, &[], 3), [2]);
    // At most `per_app` of one application; skipped ones give none.
    assert_eq!(claim(10, 2, &[2], i64::MIN), [3, 4]);
    assert_eq!(claim(10, 10, &[1], i64::MIN), [13]);
    // The rest of the backlog, in order.
    assert_eq!(claim(10, 10, &[], i64::MIN), [5, 6, 7, 8, 9, 10]);
}

fn a_released_job_keeps_its_attempts(db: &impl Backend) {
    let s = store(db);
    s.enqueue_jobs(&[job(1, 1, None)]).expect("enqueues");
    let first = s.claim_jobs("node", 100, 1000, 10, &[]).expect("claims");
    assert_eq!(first[0].attempt, 1);
    s.end_jobs(&[outcome(1, 1, JobEnd::Release { at_ms: 300 }, None)])
        .expect("ends");
    let record = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(
        (record.status(), record.attempts),
        (InvocationStatus::Queued, 0)
    );
    assert_eq!(s.queue_counts(1, 10).expect("counts").queued, 1);
    assert!(
        s.claim_jobs("node", 200, 1000, 10, &[])
            .expect("claims")
            .is_empty(),
        "released until its time"
    );
    let again = s.claim_jobs("node", 300, 1000, 10, &[]).expect("claims");
    assert_eq!(again[0].attempt, 1, "the released run did not count");
    // A released retry is RETRYING again, with its count.
    let mut retried = job_record(1, 1).expect("a record");
    retried.pending = Some(Pending::Retrying);
    s.end_jobs(&[outcome(
        1,
        1,
        JobEnd::Retry {
            at_ms: 400,
            error: "flaky".into(),
        },
        Some(retried),
    )])
    .expect("ends");
    let second = s.claim_jobs("node", 400, 1000, 10, &[]).expect("claims");
    assert_eq!(second[0].attempt, 2);
    s.end_jobs(&[outcome(1, 2, JobEnd::Release { at_ms: 400 }, None)])
        .expect("ends");
    let record = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(
        (record.status(), record.attempts),
        (InvocationStatus::Retrying, 1)
    );
    // A stale holder's release changes nothing.
    let third = s.claim_jobs("node", 500, 1000, 10, &[]).expect("claims");
    assert_eq!(third[0].attempt, 2);
    s.end_jobs(&[outcome(1, 1, JobEnd::Release { at_ms: 0 }, None)])
        .expect("ends");
    assert_eq!(s.queue_totals().expect("counts").running, 1);
}

fn claims_are_oldest_first_exclusive_and_leased(db: &impl Backend) {
    let s = store(db);
    s.enqueue_jobs(&[job(1, 1, None), job(2, 2, None), job(3, 1, None)])
        .expect("enqueues");
    let first = s.claim_jobs("node", 100, 1000, 2, &[]).expect("claims");
    assert_eq!(ids(&first), [1, 2]);
    assert!(first.iter().all(|j| j.attempt == 1));
    assert_eq!(first[0].event, r#"{"n":1}"#);
    // Leased jobs are not claimed again while the lease lasts.
    assert_eq!(
        ids(&s.claim_jobs("node", 200, 1000, 10, &[]).expect("claims")),
        [3]
    );
    assert!(
        s.claim_jobs("node", 300, 1000, 10, &[])
            .expect("claims")
            .is_empty()
    );
    // A busy application is skipped.
    s.enqueue_jobs(&[job(4, 1, None), job(5, 2, None)])
        .expect("enqueues");
    assert_eq!(
        ids(&s.claim_jobs("node", 400, 1000, 10, &[1]).expect("claims")),
        [5]
    );
    // Past its lease, a job (its runner died) is claimed again, as a new attempt.
    let again = s.claim_jobs("node", 1201, 1000, 10, &[]).expect("claims");
    assert_eq!(ids(&again), [1, 2, 3, 4]);
    assert_eq!(again[0].attempt, 2);
    assert_eq!(again[3].attempt, 1);
    let totals = s.queue_totals().expect("counts");
    assert_eq!((totals.running, totals.queued), (5, 0));
}

fn nodes_claiming_at_once_never_share_a_job(db: &impl Backend) {
    let nodes = [store(db), store(db)];
    let jobs: Vec<NewJob> = (1..=400).map(|id| job(id, 1 + id % 3, None)).collect();
    nodes[0].enqueue_jobs(&jobs).expect("enqueues");
    let claimed: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|n| {
                let node = &nodes[n % 2];
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let got = node
                            .claim_jobs(&format!("node{n}"), 0, 60_000, 16, &[])
                            .expect("claims");
                        if got.is_empty() {
                            return mine;
                        }
                        mine.extend(ids(&got));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker"))
            .collect()
    });
    let mut all: Vec<i64> = claimed.iter().flatten().copied().collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=400).collect::<Vec<_>>(),
        "each job claimed exactly once"
    );
}

fn outcome(id: i64, attempt: u32, end: JobEnd, record: Option<Box<Invocation>>) -> JobOutcome {
    JobOutcome {
        id,
        attempt,
        end,
        record,
    }
}

fn job_record(id: i64, attempt: u32) -> Option<Box<Invocation>> {
    let mut r = record(id, Some(Ok(raw(&attempt.to_string()))));
    r.function_id = 10;
    r.attempts = attempt;
    Some(Box::new(r))
}

fn outcomes_commit_with_their_records_and_stale_attempts_are_ignored(db: &impl Backend) {
    let s = store(db);
    s.enqueue_jobs(&[job(1, 1, None)]).expect("enqueues");
    let first = s.claim_jobs("node", 0, 10, 1, &[]).expect("claims");
    let second = s.claim_jobs("node", 100, 10_000, 1, &[]).expect("claims");
    assert_eq!((first[0].attempt, second[0].attempt), (1, 2));
    // The first runner finishes late: neither its outcome nor its record
    // counts.
    s.end_jobs(&[outcome(1, 1, JobEnd::Done, job_record(1, 1))])
        .expect("ends");
    assert_eq!(s.queue_counts(1, 10).expect("counts").running, 1);
    let running = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(
        (running.status(), running.attempts),
        (InvocationStatus::Running, 2)
    );
    s.end_jobs(&[outcome(1, 2, JobEnd::Done, job_record(1, 2))])
        .expect("ends");
    assert_eq!(
        s.queue_counts(1, 10).expect("counts"),
        QueueCounts::default()
    );
    let stored = s.invocation(1, 1).expect("reads").expect("a record");
    assert_eq!(stored.attempts, 2);
    assert_eq!(stored.result().map(RawValue::get), Some("2"));
    assert_eq!(s.prune_done_jobs(1).expect("prunes"), 1);
}

fn retries_wait_failures_stay_until_redriven(db: &impl Backend) {
    let s = store(db);
    s.enqueue_jobs(&[job(1, 1, None), job(2, 1, None)])
        .expect("enqueues");
    s.claim_jobs("node", 0, 1000, 10, &[]).expect("claims");
    let retry = JobEnd::Retry {
        at_ms: 500,
        error: "e".into(),
    };
    s.end_jobs(&[
        outcome(1, 1, retry, None),
        outcome(2, 1, JobEnd::Failed { error: "e".into() }, None),
    ])
    .expect("ends");
    let counts = s.queue_counts(1, 10).expect("counts");
    assert_eq!((counts.retrying, counts.failed), (1, 1));
    assert!(
        s.claim_jobs("node", 499, 1000, 10, &[])
            .expect("claims")
            .is_empty()
    );
    let retried = s.claim_jobs("node", 500, 1000, 10, &[]).expect("claims");
    assert_eq!(
        (ids(&retried), retried[0].event.as_str()),
        (vec![1], r#"{"n":1}"#)
    );
    assert!(!s.redrive_job(2, 2, 600).expect("another app's job"));
    assert!(!s.redrive_job(1, 1, 600).expect("not failed"));
    assert!(s.redrive_job(1, 2, 600).expect("redrives"));
    let again = s.claim_jobs("node", 600, 1000, 10, &[]).expect("claims");
    assert_eq!((ids(&again), again[0].attempt), (vec![2], 1));
}

/// A retry's record and a re-driven failure become past attempts, read
/// back with the record, oldest first; each new attempt starts clean.
fn replaced_attempts_are_kept_whole(db: &impl Backend) {
    let s = store(db);
    s.enqueue_jobs(&[job(1, 1, None)]).expect("enqueues");
    let failed = |attempt: u32, message: &str| {
        let mut r = record(
            1,
            Some(Err(InvocationError {
                kind: FailureKind::Exception,
                error: GuestError::new("Error", message),
            })),
        );
        r.function_id = 10;
        r.attempts = attempt;
        r.started_ms = Some(i64::from(attempt) * 100);
        r.logs[0].message = format!("log of {attempt}");
        Box::new(r)
    };
    let read = || s.invocation(1, 1).expect("reads").expect("a record");
    let retry = |at_ms| JobEnd::Retry {
        at_ms,
        error: "e".into(),
    };
    s.claim_jobs("node", 0, 1000, 10, &[]).expect("claims");
    let mut first = failed(1, "first");
    first.pending = Some(Pending::Retrying);
    s.end_jobs(&[outcome(1, 1, retry(100), Some(first))])
        .expect("ends");
    let waiting = read();
    assert_eq!(waiting.status(), InvocationStatus::Retrying);
    assert_eq!(waiting.past_attempts.len(), 1);
    let past = &waiting.past_attempts[0];
    assert_eq!(
        past.error.as_ref().map(|e| e.error.message.as_str()),
        Some("first")
    );
    assert_eq!((past.started_ms, past.warm), (Some(100), Some(true)));
    assert_eq!(past.logs[0].message, "log of 1");
    assert_eq!(past.calls, record(1, None).calls);

    // The second attempt starts with nothing of the first on its record.
    s.claim_jobs("node", 100, 1000, 10, &[]).expect("claims");
    let running = read();
    assert_eq!(running.status(), InvocationStatus::Running);
    assert_eq!(running.started_ms, Some(100));
    assert!(running.logs.is_empty() && running.calls.is_empty() && running.error().is_none());
    // A stale runner of the first attempt adds nothing.
    s.end_jobs(&[outcome(1, 1, retry(200), Some(failed(1, "stale")))])
        .expect("ends");
    s.end_jobs(&[outcome(
        1,
        2,
        JobEnd::Failed { error: "e".into() },
        Some(failed(2, "second")),
    )])
    .expect("ends");
    let ended = read();
    assert_eq!(ended.status(), InvocationStatus::Failed);
    assert_eq!(ended.past_attempts.len(), 1);

    // Re-driven, the failed last attempt is kept too.
    assert!(s.redrive_job(1, 1, 300).expect("redrives"));
    let queued = read();
    assert_eq!(queued.status(), InvocationStatus::Queued);
    assert!(queued.logs.is_empty() && queued.started_ms.is_none());
    let messages: Vec<_> = queued
        .past_attempts
        .iter()
        .map(|a| a.error.as_ref().map(|e| e.error.message.clone()))
        .collect();
    assert_eq!(messages, [Some("first".into()), Some("second".into())]);
    assert_eq!(queued.past_attempts[1].logs[0].message, "log of 2");
    assert_eq!(queued.past_attempts[1].started_ms, Some(200));
    // Lists carry them as well, and pruning the record drops them.
    let page = s
        .list_invocations(1, &InvocationFilter::default(), page(10))
        .expect("lists");
    assert_eq!(page.items[0].past_attempts, queued.past_attempts);
    s.put_invocations(&[*job_record(2, 1).expect("a record")])
        .expect("writes");
    s.prune_invocations(1, 0).expect("prunes");
    assert!(s.invocation(1, 1).expect("reads").is_none());
    // Written again, the id has no attempts left over.
    s.put_invocations(&[*failed(1, "new")]).expect("writes");
    assert!(read().past_attempts.is_empty());
}

fn heartbeats_keep_only_their_owners_leases_alive(db: &impl Backend) {
    let s = store(db);
    s.enqueue_jobs(&[job(1, 1, None), job(2, 1, None)])
        .expect("enqueues");
    assert_eq!(
        ids(&s.claim_jobs("a", 0, 1000, 1, &[]).expect("claims")),
        [1]
    );
    assert_eq!(
        ids(&s.claim_jobs("b", 0, 1000, 1, &[]).expect("claims")),
        [2]
    );
    // Node a is alive at 900 and renews; node b is not.
    assert_eq!(s.renew_leases("a", 900, 1000).expect("renews"), 1);
    let reclaimed = s.claim_jobs("c", 1500, 1000, 10, &[]).expect("claims");
    assert_eq!((ids(&reclaimed), reclaimed[0].attempt), (vec![2], 2));
    // The attempt its node abandoned is kept, failed, with its start.
    let record = s.invocation(1, 2).expect("reads").expect("a record");
    assert_eq!(record.started_ms, Some(1500));
    let abandoned = &record.past_attempts;
    assert_eq!(abandoned.len(), 1, "{abandoned:?}");
    assert_eq!(abandoned[0].started_ms, Some(0));
    assert_eq!(
        abandoned[0].error.as_ref().map(|e| e.error.name.as_str()),
        Some("AbandonedError")
    );
    // A renewal by the old holder of a reclaimed job extends nothing of it.
    assert_eq!(s.renew_leases("b", 1600, 1000).expect("renews"), 0);
}

fn nodes_opening_one_new_database_together_migrate_it_once(db: &impl Backend) {
    let stores: Vec<_> = std::thread::scope(|scope| {
        let opening: Vec<_> = (0..4).map(|_| scope.spawn(|| db.open())).collect();
        opening
            .into_iter()
            .map(|o| o.join().expect("opens"))
            .collect()
    });
    for s in stores {
        let s = s.expect("a store");
        assert_eq!(s.runtime(1).expect("reads").revision, 0);
    }
}

fn a_newer_schema_is_refused(db: &impl Backend) {
    drop(store(db));
    db.set_schema_version(999);
    match db.open() {
        Err(StoreError::Schema(message)) => assert!(message.contains("newer"), "{message}"),
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}

fn the_database_answers_pings(db: &impl Backend) {
    store(db).ping().expect("answers");
}

/// PostgreSQL only: a write through one node is heard on another.
#[test]
fn postgres_changes_reach_other_nodes() {
    let Some(db) = Postgres::new() else {
        return;
    };
    let (writer, reader) = (store(&db), store(&db));
    let mut changes = reader.changes().expect("PostgreSQL reports changes");
    let app = writer
        .create_application("a", &[1; 32], None, None)
        .expect("creates");
    let f = writer
        .create_function(app.id, new_function("user.sent.message"))
        .expect("creates");
    // Let the creation's notices pass.
    std::thread::sleep(Duration::from_millis(200));
    while changes.try_recv().is_ok() {}
    let started = Instant::now();
    writer
        .create_version(app.id, f.id, "x", true)
        .expect("writes");
    let heard = loop {
        match changes.try_recv() {
            Ok(change) => break change,
            Err(_) if started.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("nothing heard within 5 s: {e}"),
        }
    };
    assert_eq!(heard, Change::Application(app.id));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        SqliteStore::open_file(&Sqlite::new().path())
            .expect("opens")
            .changes()
            .is_none()
    );
}

/// PostgreSQL only: with the default `sslmode` (prefer) a server that
/// offers TLS gets an encrypted session; `verify-full` refuses a server
/// whose certificate the given CA did not sign, and accepts it with the
/// right one.
#[test]
fn postgres_sessions_are_encrypted_and_verify_full_checks_the_certificate() {
    let Some(db) = Postgres::new() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // (whether the session is encrypted, the server's certificate file)
    let offered = runtime.block_on(async {
        let tls = db.target.tls().expect("TLS settings");
        let (client, connection) = db.target.config.connect(tls).await.expect("connects");
        let driver = tokio::spawn(connection);
        let setting = |name: &'static str| {
            let client = &client;
            async move {
                let row = client
                    .query_one(&format!("SHOW {name}"), &[])
                    .await
                    .expect("answers");
                row.get::<_, String>(0)
            }
        };
        let offered = setting("ssl").await == "on";
        let cert_file = setting("ssl_cert_file").await;
        let ssl: bool = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .expect("answers")
            .get(0);
        drop(client);
        let _ = driver.await;
        offered.then_some((ssl, cert_file))
    });
    let Some((encrypted, cert_file)) = offered else {
        eprintln!("skipped: the test cluster does not offer TLS");
        return;
    };
    assert!(encrypted, "the server offers TLS but the session is plain");

    let verified = |root: &std::path::Path| {
        let url = format!(
            "{}&sslmode=verify-full&sslrootcert={}",
            db.url,
            root.display()
        );
        let Ok(Database::Postgres(target)) = Database::parse(&url) else {
            panic!("parses");
        };
        PostgresStore::open(&target).map(drop)
    };
    // A CA of its own, which signed nothing the server has.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let other_ca = dir.path().join("other-ca.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(dir.path().join("key.pem"))
        .arg("-out")
        .arg(&other_ca)
        .output()
        .expect("run openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    match verified(&other_ca) {
        Err(e) => assert!(e.to_string().to_lowercase().contains("certificate"), "{e}"),
        Ok(()) => panic!("verify-full accepted a certificate its CA did not sign"),
    }
    // The server's own (self-signed) certificate as the CA: accepted.
    if std::fs::metadata(&cert_file).is_ok() {
        verified(std::path::Path::new(&cert_file)).expect("verifies against its own CA");
    }
}
