package com.example.templateservice.jobs;

import com.example.archetypes.runtime.jobs.JobHandler;
import com.example.archetypes.runtime.jobs.PermanentJobFailure;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * The example job: {@code {"type": "greet", "payload": {"name": "Ada"}}} greets Ada. Copy it for a
 * job type of your own; the README says how.
 */
@Singleton
class GreetJobHandler implements JobHandler {

    @Override
    public String type() {
        return "greet";
    }

    @Override
    public Map<String, Object> handle(Map<String, Object> payload) {
        if (!(payload.get("name") instanceof String name) || name.isBlank()) {
            // No retry can fix the payload: fail the job at once.
            throw new PermanentJobFailure("payload.name must be a non-empty string");
        }
        return Map.of("greeting", "Hello, " + name + "!");
    }
}
