package com.example.archetypes.runtime.jobs;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

import java.util.Map;

/** A job as {@code GET /jobs/{id}} shows it. {@code result} and {@code error} appear when set. */
@Serdeable
record Job(
        String id,
        String type,
        JobStatus status,
        int attempts,
        @Nullable Map<String, Object> result,
        @Nullable String error) {
}
