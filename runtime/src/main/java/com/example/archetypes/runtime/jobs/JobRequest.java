package com.example.archetypes.runtime.jobs;

import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * The body of {@code POST /jobs}: {@code {"type": "greet", "payload": {"name": "Ada"}}}. The payload
 * is read as any JSON value, so that a payload of the wrong kind gets an answer naming it (see
 * JobController) rather than a parser's complaint.
 */
@Serdeable
record JobRequest(@NotBlank String type, @NotNull Object payload) {
}
