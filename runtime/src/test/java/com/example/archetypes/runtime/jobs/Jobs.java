package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.TestHttp;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Submitting jobs and following them, as a client of the /jobs API does. */
final class Jobs {

    private Jobs() {
    }

    static String submit(TestHttp http, String type, String payloadJson) {
        HttpResponse<String> response = http.postJson("/jobs", "{\"type\": \"" + type + "\", \"payload\": " + payloadJson + "}");
        assertEquals(202, response.statusCode(), response.body());
        return (String) http.json(response).get("id");
    }

    /** Polls {@code GET /jobs/{id}} until the job has {@code status}, and returns it. */
    static Map<String, Object> awaitStatus(TestHttp http, String id, String status, Duration within) {
        return Await.until("job " + id + " reaches " + status, within,
                () -> http.json(http.get("/jobs/" + id)), job -> status.equals(job.get("status")));
    }
}
