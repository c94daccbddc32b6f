/**
 * The job engine: a queue in Redis Streams, the worker that runs it, the {@code /jobs} API and the
 * scheduler of periodic tasks. A service should not need to change anything here: it adds job types
 * by implementing {@link com.example.templateservice.jobs.engine.JobHandler} and scheduled work by
 * implementing {@link com.example.templateservice.jobs.engine.PeriodicTask}, in the package above
 * (see GreetJobHandler and QueueReport there).
 *
 * <p>What the engine promises: a job is run at least once and acknowledged only after its run ended;
 * a worker that stops is replaced by another after the visibility timeout; failures are retried with
 * backoff and end in a dead-letter stream; every move of a job is one atomic Lua script.
 */
package com.example.templateservice.jobs.engine;
