//! The job queue in PostgreSQL: batched enqueue with idempotency keys,
//! claims that nodes make side by side (`FOR UPDATE SKIP LOCKED`), and
//! outcomes that only the current lease holder can record.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PostgresStore;
use super::invocations::{
    ABANDONED_ATTEMPT_FROM_COLUMNS, PAST_ATTEMPT_FROM_COLUMNS, Records, insert_from,
    keep_past_attempts, unnest,
};
use crate::store::columns::{CLEAR_ATTEMPT, encode_past_attempt, json_error, next_attempt_number};
use crate::store::{
    ClaimRequest, Job, JobEnd, JobOutcome, JobStore, NewJob, QueueCounts, StoreResult,
};

fn job_row(row: &Row) -> StoreResult<Job> {
    let attempt: i64 = row.try_get(6)?;
    Ok(Job {
        id: row.try_get(0)?,
        app_id: row.try_get(1)?,
        function_id: row.try_get(2)?,
        version_number: row.try_get(3)?,
        trigger: row.try_get(4)?,
        event: row.try_get(5)?,
        attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
    })
}

impl JobStore for PostgresStore {
    fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<Vec<i64>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        // One statement (and so one transaction) without BEGIN and
        // COMMIT: one round trip per accepted batch.
        self.run(|client| async move { enqueue(&client, jobs).await })
    }

    fn claim(&self, request: &ClaimRequest<'_>) -> StoreResult<Vec<Job>> {
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
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let per_app = i64::try_from(per_app).unwrap_or(i64::MAX);
        self.run(|client| async move {
            // `after` and `before` walk the applications with due jobs
            // from `after_app` round (a skip scan of jobs_queued_by_app,
            // read only as far as the limit needs); each one's due jobs
            // are locked in order, ranked, and taken in rounds. Rows
            // another node is claiming are skipped, not waited for, so
            // nodes claim side by side and never the same job.
            let stmt = client
                .prepare_cached(&format!(
                    "WITH RECURSIVE
                     after AS (
                       (SELECT app_id FROM jobs WHERE state = 'queued' AND app_id > $6 AND next_run_ms <= $1
                        ORDER BY app_id LIMIT 1)
                       UNION ALL
                       SELECT (SELECT j.app_id FROM jobs j WHERE j.state = 'queued' AND j.app_id > after.app_id
                               AND j.next_run_ms <= $1 ORDER BY j.app_id LIMIT 1)
                       FROM after WHERE after.app_id IS NOT NULL),
                     before AS (
                       (SELECT app_id FROM jobs WHERE state = 'queued' AND app_id <= $6 AND next_run_ms <= $1
                        ORDER BY app_id LIMIT 1)
                       UNION ALL
                       SELECT (SELECT j.app_id FROM jobs j WHERE j.state = 'queued' AND j.app_id > before.app_id
                               AND j.app_id <= $6 AND j.next_run_ms <= $1 ORDER BY j.app_id LIMIT 1)
                       FROM before WHERE before.app_id IS NOT NULL),
                     walk AS (
                       SELECT app_id, row_number() OVER () AS turn FROM (
                         SELECT app_id, 0 AS lap FROM after WHERE app_id IS NOT NULL
                         UNION ALL
                         SELECT app_id, 1 FROM before WHERE app_id IS NOT NULL) w
                       WHERE NOT (app_id = ANY($5))
                       LIMIT $3),
                     queued AS (
                       SELECT line.id, line.rank, walk.turn FROM walk CROSS JOIN LATERAL (
                         SELECT id, row_number() OVER (ORDER BY next_run_ms, id) AS rank FROM (
                           SELECT id, next_run_ms FROM jobs
                           WHERE state = 'queued' AND app_id = walk.app_id AND next_run_ms <= $1
                           ORDER BY next_run_ms, id LIMIT $7 FOR UPDATE SKIP LOCKED) due) line),
                     expired AS (
                       SELECT id FROM jobs WHERE state = 'running' AND lease_until_ms < $1 AND NOT (app_id = ANY($5))
                       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED),
                     picked AS (
                       SELECT id FROM (
                         SELECT id, 0 AS rank, 0 AS turn FROM expired
                         UNION ALL
                         SELECT id, rank, turn FROM queued) p
                       ORDER BY rank, turn, id LIMIT $3),
                     claimed AS (
                       UPDATE jobs SET state = 'running', lease_until_ms = $1::bigint + $2::bigint, attempts = attempts + 1, lease_owner = $4
                       FROM picked WHERE jobs.id = picked.id
                       RETURNING jobs.id, app_id, function_id, version_number, trigger, event, attempts),
                     abandoned AS (
                       INSERT INTO invocation_attempts (invocation_id, number, app_id, body)
                       SELECT id, {}, app_id, {ABANDONED_ATTEMPT_FROM_COLUMNS} FROM invocations
                       WHERE id IN (SELECT id FROM claimed) AND status = 'RUNNING'),
                     running AS (
                       UPDATE invocations SET status = 'RUNNING', attempts = claimed.attempts, started_ms = $1, {CLEAR_ATTEMPT}
                       FROM claimed WHERE invocations.id = claimed.id
                         AND invocations.status IN ('QUEUED', 'RETRYING', 'RUNNING'))
                     SELECT id, app_id, function_id, version_number, trigger, event, attempts FROM claimed",
                    next_attempt_number("invocations.id")
                ))
                .await?;
            let mut jobs = client
                .query(
                    &stmt,
                    &[
                        &now_ms, &lease_ms, &limit, &owner, &skip_apps, &after_app, &per_app,
                    ],
                )
                .await?
                .iter()
                .map(job_row)
                .collect::<StoreResult<Vec<_>>>()?;
            jobs.sort_by_key(|j| j.id);
            Ok(jobs)
        })
    }

    fn renew_leases(&self, owner: &str, now_ms: i64, lease_ms: i64) -> StoreResult<u64> {
        self.run(|client| async move {
            Ok(client
                .execute(
                    "UPDATE jobs SET lease_until_ms = $2::bigint + $3::bigint WHERE state = 'running' AND lease_owner = $1",
                    &[&owner, &now_ms, &lease_ms],
                )
                .await?)
        })
    }

    /// Other nodes may be running the jobs leased now: leases are left to
    /// run out (a dead node's within one lease time), not ended.
    fn resume_abandoned_jobs(&self, _now_ms: i64) -> StoreResult<u64> {
        Ok(0)
    }

    fn end_jobs(&self, outcomes: &[JobOutcome]) -> StoreResult<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        self.run(|client| async move { end(&client, outcomes).await })
    }

    fn queue_counts(&self, app: i64, function: i64) -> StoreResult<QueueCounts> {
        self.run(|client| async move {
            let rows = client
                .query(
                    "SELECT state, attempts > 0, COUNT(*) FROM jobs
                     WHERE app_id = $1 AND function_id = $2 AND state <> 'done' GROUP BY 1, 2",
                    &[&app, &function],
                )
                .await?;
            tally(&rows)
        })
    }

    fn queue_totals(&self) -> StoreResult<QueueCounts> {
        self.run(|client| async move {
            let rows = client
                .query(
                    "SELECT state, attempts > 0, COUNT(*) FROM jobs
                     WHERE state IN ('queued', 'running', 'failed') GROUP BY 1, 2",
                    &[],
                )
                .await?;
            tally(&rows)
        })
    }

    fn redrive_job(&self, app: i64, id: i64, now_ms: i64) -> StoreResult<bool> {
        self.run(|client| async move {
            let changed = client
                .query(
                    &format!(
                        "WITH redriven AS (
                       UPDATE jobs SET state = 'queued', attempts = 0, next_run_ms = $3, last_error = NULL
                       WHERE app_id = $1 AND id = $2 AND state = 'failed' RETURNING id),
                     kept AS (
                       INSERT INTO invocation_attempts (invocation_id, number, app_id, body)
                       SELECT id, {}, app_id, {PAST_ATTEMPT_FROM_COLUMNS} FROM invocations
                       WHERE id IN (SELECT id FROM redriven) AND app_id = $1 AND status = 'FAILED'),
                     queued AS (
                       UPDATE invocations SET status = 'QUEUED', started_ms = NULL, {CLEAR_ATTEMPT}
                       FROM redriven WHERE invocations.id = redriven.id AND invocations.app_id = $1)
                     SELECT id FROM redriven",
                        next_attempt_number("invocations.id")
                    ),
                    &[&app, &id, &now_ms],
                )
                .await?;
            Ok(changed.len() == 1)
        })
    }

    fn prune_done_jobs(&self, before_ms: i64) -> StoreResult<u64> {
        self.run(|client| async move {
            Ok(client
                .execute(
                    "DELETE FROM jobs WHERE state = 'done' AND created_ms < $1",
                    &[&before_ms],
                )
                .await?)
        })
    }
}

/// Inserts `jobs` in one statement; returns each job's id (an earlier
/// job's when its idempotency key was seen before, on any node).
async fn enqueue(client: &impl GenericClient, jobs: &[NewJob]) -> StoreResult<Vec<i64>> {
    let mut id = Vec::with_capacity(jobs.len());
    let mut app = Vec::with_capacity(jobs.len());
    let mut function = Vec::with_capacity(jobs.len());
    let mut version = Vec::with_capacity(jobs.len());
    let mut trigger = Vec::with_capacity(jobs.len());
    let mut event = Vec::with_capacity(jobs.len());
    let mut key = Vec::with_capacity(jobs.len());
    let mut created = Vec::with_capacity(jobs.len());
    for job in jobs {
        id.push(job.id);
        app.push(job.app_id);
        function.push(job.function_id);
        version.push(job.version_number);
        trigger.push(job.trigger.as_str());
        event.push(job.event.as_str());
        key.push(job.idempotency_key.as_deref());
        created.push(job.created_ms);
    }
    // Each accepted job's invocation record (QUEUED) goes in with it:
    // readable from the moment it is accepted.
    let insert = client
        .prepare_cached(
            "WITH accepted AS (
               INSERT INTO jobs (id, app_id, function_id, version_number, trigger, event, idempotency_key, state, attempts, next_run_ms, created_ms)
               SELECT id, app_id, function_id, version_number, trigger, event, idempotency_key, 'queued', 0, created_ms, created_ms
               FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
                 AS j(id, app_id, function_id, version_number, trigger, event, idempotency_key, created_ms)
               ON CONFLICT (app_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
               RETURNING id, app_id, function_id, version_number, trigger, event, created_ms),
             recorded AS (
               INSERT INTO invocations (id, app_id, function_id, version_number, trigger, test, args, status, logs, calls, created_ms, attempts)
               SELECT id, app_id, function_id, version_number, trigger, FALSE, event, 'QUEUED', '[]', '[]', created_ms, 0
               FROM accepted ON CONFLICT (id) DO NOTHING)
             SELECT id FROM accepted",
        )
        .await?;
    let inserted: std::collections::HashSet<i64> = client
        .query(
            &insert,
            &[
                &id, &app, &function, &version, &trigger, &event, &key, &created,
            ],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    if inserted.len() == jobs.len() {
        return Ok(id);
    }
    // Repeated keys: the job that holds each key (committed before, or
    // earlier in this batch).
    let (repeat_apps, repeat_keys): (Vec<i64>, Vec<&str>) = jobs
        .iter()
        .filter(|j| !inserted.contains(&j.id))
        .filter_map(|j| Some((j.app_id, j.idempotency_key.as_deref()?)))
        .unzip();
    let holders: HashMap<(i64, String), i64> = client
        .query(
            "SELECT app_id, idempotency_key, id FROM jobs
             WHERE (app_id, idempotency_key) IN (SELECT * FROM UNNEST($1::bigint[], $2::text[]))",
            &[&repeat_apps, &repeat_keys],
        )
        .await?
        .iter()
        .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?)))
        .collect::<StoreResult<_>>()?;
    Ok(jobs
        .iter()
        .map(|j| {
            if inserted.contains(&j.id) {
                return j.id;
            }
            j.idempotency_key
                .as_ref()
                .and_then(|k| holders.get(&(j.app_id, k.clone())))
                .copied()
                .unwrap_or(j.id)
        })
        .collect())
}

/// Records outcomes and the records of those that count, in one statement
/// (one transaction, one round trip). A stale runner's outcome and record
/// are both ignored: only the holder of the current attempt may end it.
async fn end(client: &impl GenericClient, outcomes: &[JobOutcome]) -> StoreResult<()> {
    let mut id = Vec::with_capacity(outcomes.len());
    let mut attempt = Vec::with_capacity(outcomes.len());
    let mut state = Vec::with_capacity(outcomes.len());
    let mut at = Vec::with_capacity(outcomes.len());
    let mut error = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        id.push(o.id);
        attempt.push(i64::from(o.attempt));
        let (s, a, e) = match &o.end {
            JobEnd::Done => ("done", None, None),
            JobEnd::Retry { at_ms, error } => ("queued", Some(*at_ms), Some(error.as_str())),
            JobEnd::Failed { error } => ("failed", None, Some(error.as_str())),
            JobEnd::Release { at_ms } => ("released", Some(*at_ms), None),
        };
        state.push(s);
        at.push(a);
        error.push(e);
    }
    let records = Records::new(outcomes.iter().filter_map(|o| o.record.as_deref()))?;
    // A retried attempt's record is replaced by the next one's: keep it.
    let (mut past_id, mut past_app, mut past_body) = (Vec::new(), Vec::new(), Vec::new());
    for o in outcomes {
        if let (JobEnd::Retry { .. }, Some(record)) = (&o.end, &o.record) {
            past_id.push(record.id);
            past_app.push(record.app_id);
            past_body.push(encode_past_attempt(record).map_err(json_error)?);
        }
    }
    // The records' insert reads the update's RETURNING: data-modifying
    // parts of one statement share a snapshot and see each other only so.
    let stmt = client
        .prepare_cached(&format!(
            "WITH ended AS (
               UPDATE jobs SET state = CASE WHEN o.state = 'released' THEN 'queued' ELSE o.state END,
                 next_run_ms = COALESCE(o.at, jobs.next_run_ms),
                 event = CASE WHEN o.state = 'done' THEN '' ELSE jobs.event END,
                 attempts = CASE WHEN o.state = 'released' THEN jobs.attempts - 1 ELSE jobs.attempts END,
                 lease_until_ms = NULL, lease_owner = NULL,
                 last_error = CASE WHEN o.state = 'released' THEN jobs.last_error ELSE o.error END
               FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS o(id, attempt, state, at, error)
               WHERE jobs.id = o.id AND jobs.attempts = o.attempt AND jobs.state = 'running'
               RETURNING jobs.id, jobs.attempts, o.state = 'released' AS released),
             -- A released run is back as before its claim.
             requeued AS (
               UPDATE invocations SET status = CASE WHEN ended.attempts > 0 THEN 'RETRYING' ELSE 'QUEUED' END,
                 attempts = ended.attempts, started_ms = NULL
               FROM ended WHERE invocations.id = ended.id AND ended.released AND invocations.status = 'RUNNING'),
             kept AS ({})
             {}",
            keep_past_attempts(6, "ended"),
            insert_from(&format!("{} WHERE r.id IN (SELECT id FROM ended)", unnest(9)))
        ))
        .await?;
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![
        &id, &attempt, &state, &at, &error, &past_id, &past_app, &past_body,
    ];
    params.extend(records.params());
    client.execute(&stmt, &params).await?;
    Ok(())
}

fn tally(rows: &[Row]) -> StoreResult<QueueCounts> {
    let mut counts = QueueCounts::default();
    for row in rows {
        let state: &str = row.try_get(0)?;
        let tried: bool = row.try_get(1)?;
        let n = u64::try_from(row.try_get::<_, i64>(2)?).unwrap_or(0);
        match (state, tried) {
            ("queued", false) => counts.queued += n,
            ("queued", true) => counts.retrying += n,
            ("running", _) => counts.running += n,
            ("failed", _) => counts.failed += n,
            _ => {}
        }
    }
    Ok(counts)
}
