package com.example.templateservice.jobs;

import com.example.templateservice.TestHttp;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Polling helpers for asynchronous outcomes: they wait up to a deadline, never a fixed time. */
final class JobsAwait {

    private JobsAwait() {
    }

    static String submit(TestHttp http, String type, String payloadJson) {
        var response = http.postJson("/jobs", "{\"type\": \"" + type + "\", \"payload\": " + payloadJson + "}");
        assertEquals(202, response.statusCode(), response.body());
        return (String) http.json(response).get("id");
    }

    /** Polls {@code GET /jobs/{id}} until the job has {@code status}, and returns it. */
    static Map<String, Object> jobReaches(TestHttp http, String id, String status, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, Object> job = Map.of();
        while (System.nanoTime() < deadline) {
            job = http.json(http.get("/jobs/" + id));
            if (status.equals(job.get("status"))) {
                return job;
            }
            pause();
        }
        return fail("job " + id + " did not reach " + status + " within " + within + "; last seen: " + job);
    }

    static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not true within " + within + ": " + what);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
