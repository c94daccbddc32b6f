package com.example.templateservice.jobs;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Job handlers that exist only in tests, to make jobs fail, fail once, or take their time. */
@Factory
class TestJobHandlers {

    /** Fails every run. */
    @Singleton
    JobHandler alwaysFails() {
        return handler("always-fails", payload -> {
            throw new IllegalStateException("this job always fails");
        });
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
