package com.example.archetypes.runtime.jobs;

/**
 * Thrown by a {@link JobHandler} when running the job again cannot succeed, for example because its
 * payload is invalid: the job fails at once, without retries, and goes to the dead-letter stream
 * with this message.
 */
public class PermanentJobFailure extends RuntimeException {

    public PermanentJobFailure(String message) {
        super(message);
    }

    public PermanentJobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
