/**
 * The job engine: a queue in Redis Streams, the worker that runs it, the {@code /jobs} API and the
 * scheduler of periodic tasks. A service implements {@link com.example.archetypes.runtime.jobs.JobHandler}
 * for each job type and {@link com.example.archetypes.runtime.jobs.PeriodicTask} for scheduled work,
 * and throws {@link com.example.archetypes.runtime.jobs.PermanentJobFailure} when a job cannot
 * succeed; everything else here is the engine's own (package-private), configured by
 * {@code app.jobs.*}.
 *
 * <p>What the engine promises: a job is run at least once and acknowledged only after its run ended;
 * a worker that stops is replaced by another after the visibility timeout; failures are retried with
 * backoff and end in a dead-letter stream; every move of a job is one atomic Lua script. The library's
 * README lists the promises, the settings and the Redis keys.
 */
package com.example.archetypes.runtime.jobs;
