package com.example.archetypes.runtime;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The role this process plays, from {@code app.role} ({@code APP_ROLE}). One jar serves all three:
 * {@code web} answers HTTP, {@code worker} runs jobs and periodic tasks, {@code all} does both
 * in one process (the local default). Every role serves {@code /health}.
 *
 * <p>Beans opt in to a role with {@link WebRole} or {@link WorkerRole}. This bean is created at
 * start-up so that a mistyped role stops the process with a clear message instead of quietly
 * starting a process that does nothing.
 */
enum Role {
    WEB, WORKER, ALL;

    @Context
    static final class Check {
        Check(@Value("${app.role:all}") String configured) {
            try {
                Role.valueOf(configured.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                String allowed = Arrays.stream(values())
                        .map(role -> role.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", "));
                throw new ConfigurationException(
                        "APP_ROLE (app.role) is '" + configured + "': it must be one of " + allowed);
            }
        }
    }
}
