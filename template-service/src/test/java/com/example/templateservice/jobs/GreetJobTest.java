package com.example.templateservice.jobs;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A job goes all the way through this service: POST /jobs queues it, the worker runs GreetJobHandler,
 * GET /jobs/{id} shows the result. (The engine's own behaviour is tested in the runtime library.)
 */
class GreetJobTest extends ServiceTest {

    @Test
    void aGreetJobIsQueuedRunAndShowsItsGreeting() {
        Map<String, Object> job = awaitEnd(submit("{\"name\": \"Ada\"}"));

        assertEquals("DONE", job.get("status"), job.toString());
        assertEquals(Map.of("greeting", "Hello, Ada!"), job.get("result"));
    }

    @Test
    void aGreetJobWithoutANameFailsAtOnceWithTheReason() {
        Map<String, Object> job = awaitEnd(submit("{}"));

        assertEquals("FAILED", job.get("status"), job.toString());
        assertEquals(1, ((Number) job.get("attempts")).intValue(), "a permanent failure is not retried: " + job);
        assertEquals("payload.name must be a non-empty string", job.get("error"));
    }

    private String submit(String payload) {
        HttpResponse<String> response = http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": " + payload + "}");
        assertEquals(202, response.statusCode(), response.body());
        return (String) http.json(response).get("id");
    }

    private Map<String, Object> awaitEnd(String id) {
        return Await.until("job " + id + " ends", Duration.ofSeconds(30), () -> http.json(http.get("/jobs/" + id)),
                job -> "DONE".equals(job.get("status")) || "FAILED".equals(job.get("status")));
    }
}
