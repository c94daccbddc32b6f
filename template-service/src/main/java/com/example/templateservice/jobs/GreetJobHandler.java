package com.example.templateservice.jobs;

import jakarta.inject.Singleton;

import java.util.Map;

/** The example job: {@code {"type": "greet", "payload": {"name": "Ada"}}} greets Ada. */
@Singleton
class GreetJobHandler implements JobHandler {

    @Override
    public String type() {
        return "greet";
    }

    @Override
    public Map<String, Object> handle(Map<String, Object> payload) {
        if (!(payload.get("name") instanceof String name) || name.isBlank()) {
            throw new IllegalArgumentException("payload.name must be a non-empty string");
        }
        return Map.of("greeting", "Hello, " + name + "!");
    }
}
