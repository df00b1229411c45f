//! The job queue in SQLite: batched enqueue with idempotency keys, atomic
//! claims with leases, and outcomes that only the current lease holder can
//! record.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::{
    ABANDONED_ATTEMPT_FROM_COLUMNS, PAST_ATTEMPT_FROM_COLUMNS, keep_past_attempt, put_invocation,
};
use crate::store::columns::{CLEAR_ATTEMPT, next_attempt_number};
use crate::store::{
    ClaimRequest, Job, JobEnd, JobOutcome, JobStore, NewJob, QueueCounts, StoreResult,
};

impl JobStore for SqliteStore {
    fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<Vec<i64>> {
        self.with(|conn| enqueue(conn, jobs))
    }

    fn claim(&self, request: &ClaimRequest<'_>) -> StoreResult<Vec<Job>> {
        self.with(|conn| claim(conn, request))
    }

    fn renew_leases(&self, owner: &str, now_ms: i64, lease_ms: i64) -> StoreResult<u64> {
        self.with(|conn| {
            let renewed = conn.execute(
                "UPDATE jobs SET lease_until_ms = ?2 + ?3 WHERE state = 'running' AND lease_owner = ?1",
                params![owner, now_ms, lease_ms],
            )?;
            Ok(renewed as u64)
        })
    }

    /// SQLite is one node's database: whatever is still leased at start
    /// was leased by this node's previous run, which is gone.
    fn resume_abandoned_jobs(&self, now_ms: i64) -> StoreResult<u64> {
        self.with(|conn| {
            let resumed = conn.execute(
                "UPDATE jobs SET lease_until_ms = ?1 - 1 WHERE state = 'running' AND lease_until_ms >= ?1",
                params![now_ms],
            )?;
            Ok(resumed as u64)
        })
    }

    fn end_jobs(&self, outcomes: &[JobOutcome]) -> StoreResult<()> {
        self.with(|conn| end(conn, outcomes))
    }

    fn queue_counts(&self, app: i64, function: i64) -> StoreResult<QueueCounts> {
        self.with(|conn| counts(conn, app, function))
    }

    fn queue_totals(&self) -> StoreResult<QueueCounts> {
        self.with(|conn| totals(conn))
    }

    fn redrive_job(&self, app: i64, id: i64, now_ms: i64) -> StoreResult<bool> {
        self.with(|conn| redrive(conn, app, id, now_ms))
    }

    fn prune_done_jobs(&self, before_ms: i64) -> StoreResult<u64> {
        self.with(|conn| prune_done(conn, before_ms))
    }
}

/// Inserts `jobs` in one transaction; returns each job's id (an earlier
/// job's when its idempotency key was seen before).
fn enqueue(conn: &mut Connection, jobs: &[NewJob]) -> StoreResult<Vec<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(jobs.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO jobs (id, app_id, function_id, version_number, trigger, event, idempotency_key, state, attempts, next_run_ms, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', 0, ?8, ?8)
             ON CONFLICT (app_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
        )?;
        let mut existing =
            tx.prepare_cached("SELECT id FROM jobs WHERE app_id = ?1 AND idempotency_key = ?2")?;
        // Readable from the moment it is accepted.
        let mut record = tx.prepare_cached(
            "INSERT INTO invocations (id, app_id, function_id, version_number, trigger, test, args, status, logs, calls, created_ms, attempts)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, 'QUEUED', '[]', '[]', ?7, 0) ON CONFLICT (id) DO NOTHING",
        )?;
        for job in jobs {
            let inserted = insert.execute(params![
                job.id,
                job.app_id,
                job.function_id,
                job.version_number,
                job.trigger,
                job.event,
                job.idempotency_key,
                job.created_ms
            ])?;
            let id = if inserted == 0 {
                existing
                    .query_row(params![job.app_id, job.idempotency_key], |r| r.get(0))
                    .optional()?
                    .unwrap_or(job.id)
            } else {
                record.execute(params![
                    job.id,
                    job.app_id,
                    job.function_id,
                    job.version_number,
                    job.trigger,
                    job.event,
                    job.created_ms
                ])?;
                job.id
            };
            ids.push(id);
        }
    }
    tx.commit()?;
    Ok(ids)
}

/// Leases due jobs as [`JobStore::claim`] describes. SQLite runs in this
/// process, so the walk over applications is a loop of indexed lookups
/// (a skip scan of `jobs_queued_by_app`) rather than one statement.
fn claim(conn: &mut Connection, request: &ClaimRequest<'_>) -> StoreResult<Vec<Job>> {
    let ClaimRequest {
        owner,
        now_ms,
        lease_ms,
        limit,
        per_app,
        skip_apps,
        after_app,
    } = *request;
    if limit == 0 {
        return Ok(Vec::new());
    }
    let as_sql = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let skip: HashSet<i64> = skip_apps.iter().copied().collect();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut picked: Vec<i64> = Vec::with_capacity(limit);
    {
        // Jobs whose runner died, oldest first. Ids only (integers), so
        // formatting them into the SQL is safe.
        let not_skipped = if skip_apps.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = skip_apps.iter().map(i64::to_string).collect();
            format!("AND app_id NOT IN ({})", list.join(","))
        };
        let mut expired = tx.prepare(&format!(
            "SELECT id FROM jobs WHERE state = 'running' AND lease_until_ms < ?1 {not_skipped}
             ORDER BY id LIMIT ?2"
        ))?;
        let rows = expired.query_map(params![now_ms, as_sql(limit)], |r| r.get::<_, i64>(0))?;
        for id in rows {
            picked.push(id?);
        }
        // Queued jobs: each application's due ones, walking applications
        // from `after_app` round.
        let mut next_app = tx.prepare_cached(
            "SELECT app_id FROM jobs WHERE state = 'queued' AND app_id > ?1 AND next_run_ms <= ?2
             ORDER BY app_id LIMIT 1",
        )?;
        let mut due = tx.prepare_cached(
            "SELECT id FROM jobs WHERE state = 'queued' AND app_id = ?1 AND next_run_ms <= ?2
             ORDER BY next_run_ms, id LIMIT ?3",
        )?;
        let wanted = limit - picked.len();
        let mut lines: Vec<Vec<i64>> = Vec::new();
        let mut at = after_app;
        let mut wrapped = false;
        while lines.len() < wanted {
            let app: Option<i64> = next_app
                .query_row(params![at, now_ms], |r| r.get(0))
                .optional()?;
            let app = match app {
                Some(app) if wrapped && app > after_app => break,
                Some(app) => app,
                None if wrapped || after_app == i64::MIN => break,
                None => {
                    wrapped = true;
                    at = i64::MIN;
                    continue;
                }
            };
            at = app;
            if skip.contains(&app) {
                continue;
            }
            let ids = due
                .query_map(params![app, now_ms, as_sql(per_app)], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            if !ids.is_empty() {
                lines.push(ids);
            }
        }
        picked.extend(in_rounds(&lines, wanted));
    }
    let mut jobs = Vec::with_capacity(picked.len());
    {
        let mut lease = tx.prepare_cached(
            "UPDATE jobs SET state = 'running', lease_until_ms = ?2 + ?3, attempts = attempts + 1, lease_owner = ?4
             WHERE id = ?1
             RETURNING id, app_id, function_id, version_number, trigger, event, attempts",
        )?;
        // A record still RUNNING is an attempt whose process stopped.
        let mut abandoned = tx.prepare_cached(&format!(
            "INSERT INTO invocation_attempts (invocation_id, number, app_id, body)
             SELECT id, {}, app_id, {ABANDONED_ATTEMPT_FROM_COLUMNS} FROM invocations
             WHERE id = ?1 AND status = 'RUNNING'",
            next_attempt_number("invocations.id")
        ))?;
        let mut running = tx.prepare_cached(&format!(
            "UPDATE invocations SET status = 'RUNNING', attempts = ?2, started_ms = ?3, {CLEAR_ATTEMPT}
             WHERE id = ?1 AND status IN ('QUEUED', 'RETRYING', 'RUNNING')"
        ))?;
        for id in picked {
            let job = lease.query_row(params![id, now_ms, lease_ms, owner], |r| {
                Ok(Job {
                    id: r.get(0)?,
                    app_id: r.get(1)?,
                    function_id: r.get(2)?,
                    version_number: r.get(3)?,
                    trigger: r.get(4)?,
                    event: r.get(5)?,
                    attempt: r.get(6)?,
                })
            })?;
            abandoned.execute(params![job.id])?;
            running.execute(params![job.id, job.attempt, now_ms])?;
            jobs.push(job);
        }
    }
    tx.commit()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Up to `limit` ids from `lines` (one per application, each in order),
/// taken in rounds: every line's first, then every line's second, ...
fn in_rounds(lines: &[Vec<i64>], limit: usize) -> Vec<i64> {
    let longest = lines.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|round| {
            lines
                .iter()
                .filter_map(move |line| line.get(round).copied())
        })
        .take(limit)
        .collect()
}

/// Records outcomes, with their invocation records, in one transaction. A
/// stale runner's outcome and record are both ignored.
fn end(conn: &mut Connection, outcomes: &[JobOutcome]) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        // Only the holder of the current attempt may end it.
        let mut done = tx.prepare_cached(
            "UPDATE jobs SET state = 'done', event = '', lease_until_ms = NULL, lease_owner = NULL, last_error = NULL
             WHERE id = ?1 AND attempts = ?2 AND state = 'running'",
        )?;
        let mut retry = tx.prepare_cached(
            "UPDATE jobs SET state = 'queued', next_run_ms = ?3, lease_until_ms = NULL, lease_owner = NULL, last_error = ?4
             WHERE id = ?1 AND attempts = ?2 AND state = 'running'",
        )?;
        let mut failed = tx.prepare_cached(
            "UPDATE jobs SET state = 'failed', lease_until_ms = NULL, lease_owner = NULL, last_error = ?3
             WHERE id = ?1 AND attempts = ?2 AND state = 'running'",
        )?;
        let mut release = tx.prepare_cached(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, next_run_ms = ?3, lease_until_ms = NULL, lease_owner = NULL
             WHERE id = ?1 AND attempts = ?2 AND state = 'running'",
        )?;
        // Back as it was before the claim: waiting for its first run, or
        // for its next one.
        let mut released = tx.prepare_cached(
            "UPDATE invocations SET status = CASE WHEN ?2 > 1 THEN 'RETRYING' ELSE 'QUEUED' END,
               attempts = ?2 - 1, started_ms = NULL
             WHERE id = ?1 AND status = 'RUNNING'",
        )?;
        for o in outcomes {
            let changed = match &o.end {
                JobEnd::Done => done.execute(params![o.id, o.attempt])?,
                JobEnd::Retry { at_ms, error } => {
                    retry.execute(params![o.id, o.attempt, at_ms, error])?
                }
                JobEnd::Failed { error } => failed.execute(params![o.id, o.attempt, error])?,
                JobEnd::Release { at_ms } => {
                    let changed = release.execute(params![o.id, o.attempt, at_ms])?;
                    if changed == 1 {
                        released.execute(params![o.id, o.attempt])?;
                    }
                    continue;
                }
            };
            if let (1, Some(record)) = (changed, &o.record) {
                if matches!(o.end, JobEnd::Retry { .. }) {
                    keep_past_attempt(&tx, record)?;
                }
                put_invocation(&tx, record)?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn counts(conn: &Connection, app: i64, function: i64) -> StoreResult<QueueCounts> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, attempts > 0, COUNT(*) FROM jobs
         WHERE app_id = ?1 AND function_id = ?2 AND state != 'done' GROUP BY 1, 2",
    )?;
    tally(stmt.query_map(params![app, function], count_row)?)
}

/// Jobs of every application by state (for metrics).
fn totals(conn: &Connection) -> StoreResult<QueueCounts> {
    // Each state is a range of the (state, id) index: no scan of done jobs.
    let mut stmt = conn.prepare_cached(
        "SELECT state, attempts > 0, COUNT(*) FROM jobs
         WHERE state IN ('queued', 'running', 'failed') GROUP BY 1, 2",
    )?;
    tally(stmt.query_map([], count_row)?)
}

fn count_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, bool, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn tally(
    rows: impl Iterator<Item = rusqlite::Result<(String, bool, i64)>>,
) -> StoreResult<QueueCounts> {
    let mut counts = QueueCounts::default();
    for row in rows {
        let (state, tried, n) = row?;
        let n = u64::try_from(n).unwrap_or(0);
        match (state.as_str(), tried) {
            ("queued", false) => counts.queued += n,
            ("queued", true) => counts.retrying += n,
            ("running", _) => counts.running += n,
            ("failed", _) => counts.failed += n,
            _ => {}
        }
    }
    Ok(counts)
}

/// Queues a FAILED job again with fresh attempts; false when `id` is not a
/// failed job of `app`.
fn redrive(conn: &mut Connection, app: i64, id: i64, now_ms: i64) -> StoreResult<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE jobs SET state = 'queued', attempts = 0, next_run_ms = ?3, last_error = NULL
         WHERE app_id = ?1 AND id = ?2 AND state = 'failed'",
        params![app, id, now_ms],
    )?;
    if changed == 1 {
        // The failed last attempt becomes a past one.
        tx.execute(
            &format!(
                "INSERT INTO invocation_attempts (invocation_id, number, app_id, body)
                 SELECT id, {}, app_id, {PAST_ATTEMPT_FROM_COLUMNS} FROM invocations
                 WHERE app_id = ?1 AND id = ?2 AND status = 'FAILED'",
                next_attempt_number("invocations.id")
            ),
            params![app, id],
        )?;
        tx.execute(
            &format!(
                "UPDATE invocations SET status = 'QUEUED', started_ms = NULL, {CLEAR_ATTEMPT}
                 WHERE app_id = ?1 AND id = ?2"
            ),
            params![app, id],
        )?;
    }
    tx.commit()?;
    Ok(changed == 1)
}

/// Forgets finished jobs older than `before_ms` (their idempotency keys
/// expire with them).
fn prune_done(conn: &Connection, before_ms: i64) -> StoreResult<u64> {
    let removed = conn.execute(
        "DELETE FROM jobs WHERE state = 'done' AND created_ms < ?1",
        params![before_ms],
    )?;
    Ok(removed as u64)
}

#[cfg(test)]
mod tests {
    //! What only SQLite does; the rest of the queue's tests are in the
    //! suite both backends run (`store::tests`).
    use super::*;

    fn job(id: i64, app: i64) -> NewJob {
        NewJob {
            id,
            app_id: app,
            function_id: 10 * app,
            version_number: 1,
            trigger: "user.sent.message".into(),
            event: "{}".into(),
            idempotency_key: None,
            created_ms: 0,
        }
    }

    fn ids(jobs: &[Job]) -> Vec<i64> {
        jobs.iter().map(|j| j.id).collect()
    }

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path()).expect("a store");
        (dir, store)
    }

    #[test]
    fn a_restarted_single_node_resumes_its_jobs_at_once() {
        let (_dir, s) = store();
        s.enqueue_jobs(&[job(1, 1), job(2, 2)]).expect("enqueues");
        s.claim_jobs("old", 0, 15_000, 10, &[]).expect("claims");
        assert!(
            s.claim_jobs("new", 100, 15_000, 10, &[])
                .expect("claims")
                .is_empty()
        );
        assert_eq!(s.resume_abandoned_jobs(100).expect("resumes"), 2);
        let resumed = s.claim_jobs("new", 100, 15_000, 10, &[]).expect("claims");
        assert_eq!(ids(&resumed), [1, 2]);
        assert!(resumed.iter().all(|j| j.attempt == 2));
    }
}
