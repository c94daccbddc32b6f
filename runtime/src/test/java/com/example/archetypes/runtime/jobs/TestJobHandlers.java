package com.example.archetypes.runtime.jobs;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The test service's job handlers: one that succeeds, and others that fail in every way, or take their time. */
@Factory
class TestJobHandlers {

    /**
     * Fails every run, the way {@code payload.how} says: "retryable" (the default), "for-good" (no
     * retry can help), "with-an-error" (an Error, not an Exception, as a handler that overflows its
     * stack throws) or "verbosely" (a message of {@code payload.length} characters).
     */
    @Singleton
    JobHandler fails() {
        return handler("fails", payload -> {
            String how = String.valueOf(payload.getOrDefault("how", "retryable"));
            if (how.equals("with-an-error")) {
                throw new StackOverflowError("deep recursion");
            }
            throw switch (how) {
                case "for-good" -> new PermanentJobFailure("payload.order does not exist");
                case "verbosely" -> new IllegalStateException("x".repeat(((Number) payload.get("length")).intValue()));
                default -> new IllegalStateException("this job always fails");
            };
        });
    }

    /** The job most tests post: greets {@code payload.name}, as a service's first handler might. */
    @Singleton
    JobHandler greet() {
        return handler("greet", payload -> Map.of("greeting", "Hello, " + payload.get("name") + "!"));
    }

    /** Fails the first run of each job and succeeds on the second. */
    @Singleton
    JobHandler failsOnce() {
        Set<Object> failedOnce = ConcurrentHashMap.newKeySet();
        return handler("fails-once", payload -> {
            if (failedOnce.add(payload.get("key"))) {
                throw new IllegalStateException("first run fails");
            }
            return Map.of("ok", true);
        });
    }

    /** Sleeps for {@code payload.millis}, then succeeds. */
    @Singleton
    JobHandler slow() {
        return handler("slow", payload -> {
            Thread.sleep(Duration.ofMillis(((Number) payload.get("millis")).longValue()).toMillis());
            return Map.of("slept", payload.get("millis"));
        });
    }

    interface Body {
        Map<String, Object> run(Map<String, Object> payload) throws Exception;
    }

    private static JobHandler handler(String type, Body body) {
        return new JobHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Map<String, Object> handle(Map<String, Object> payload) throws Exception {
                return body.run(payload);
            }
        };
    }
}
