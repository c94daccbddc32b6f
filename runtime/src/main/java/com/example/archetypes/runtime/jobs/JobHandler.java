package com.example.archetypes.runtime.jobs;

import java.util.Map;

/**
 * Does the work of one type of job. Every bean implementing this is registered under its
 * {@link #type()}; {@code POST /jobs} accepts only registered types.
 *
 * <p>A job runs at least once: after a crash or a take-over it may run again, so a handler should be
 * safe to repeat. Throwing fails the run: it is retried with backoff and, after
 * {@code app.jobs.max-attempts} runs, moved to the dead-letter stream with the exception's message.
 * Throw {@link PermanentJobFailure} when running again cannot help (a bad payload, say): the job then
 * fails at once.
 */
public interface JobHandler {

    /** The job type this handler serves, as clients send it in {@code "type"}. */
    String type();

    /** Runs one job and returns its result, which {@code GET /jobs/{id}} shows as {@code result}. */
    Map<String, Object> handle(Map<String, Object> payload) throws Exception;
}
