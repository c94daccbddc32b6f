package com.example.templateservice.jobs;

import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import java.util.Map;

/** The body of {@code POST /jobs}: {@code {"type": "greet", "payload": {"name": "Ada"}}}. */
@Serdeable
public record JobRequest(@NotBlank String type, @NotNull Map<String, Object> payload) {
}
