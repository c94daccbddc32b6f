package com.example.templateservice.jobs;

import com.example.templateservice.jobs.engine.JobHandler;
import com.example.templateservice.jobs.engine.PermanentJobFailure;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Job handlers that exist only in tests, to make jobs fail in every way, or take their time. */
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

    /** Fails in a way no retry can fix. */
    @Singleton
    JobHandler failsForGood() {
        return handler("fails-for-good", payload -> {
            throw new PermanentJobFailure("payload.order does not exist");
        });
    }

    /** Fails with an Error rather than an Exception, as a handler that overflows its stack does. */
    @Singleton
    JobHandler throwsAnError() {
        return handler("throws-an-error", payload -> {
            throw new StackOverflowError("deep recursion");
        });
    }

    /** Fails with a message of {@code payload.length} characters. */
    @Singleton
    JobHandler failsVerbosely() {
        return handler("fails-verbosely", payload -> {
            throw new IllegalStateException("x".repeat(((Number) payload.get("length")).intValue()));
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
