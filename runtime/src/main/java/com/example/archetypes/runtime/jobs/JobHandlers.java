package com.example.archetypes.runtime.jobs;

import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Every {@link JobHandler} bean, by the job type it serves. */
@Singleton
class JobHandlers {

    private final Map<String, JobHandler> byType = new TreeMap<>();

    JobHandlers(List<JobHandler> handlers) {
        for (JobHandler handler : handlers) {
            JobHandler other = byType.putIfAbsent(handler.type(), handler);
            if (other != null) {
                throw new IllegalStateException("Job type '" + handler.type() + "' has two handlers: "
                        + other.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
    }

    Optional<JobHandler> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    Set<String> types() {
        return byType.keySet();
    }
}
