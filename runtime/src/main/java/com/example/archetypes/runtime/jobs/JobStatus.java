package com.example.archetypes.runtime.jobs;

/** Where a job is in its life. */
enum JobStatus {
    /** Waiting in the stream for a worker. */
    QUEUED,
    /** A worker is running it. */
    RUNNING,
    /** A run failed; it waits for its next attempt. */
    RETRYING,
    /** Its handler succeeded; {@code result} holds what it returned. */
    DONE,
    /** Every attempt failed; it is in the dead-letter stream and {@code error} says why. */
    FAILED
}
