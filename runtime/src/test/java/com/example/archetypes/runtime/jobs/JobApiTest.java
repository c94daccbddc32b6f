package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.ServiceTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP contract of /jobs, run in the web role alone: no worker takes the jobs. */
class JobApiTest extends ServiceTest {

    /** Words that name how the server is built; an answer to a client never contains one. */
    static final String[] INTERNAL_NAMES = {"io.micronaut", "com.fasterxml", "Jackson", "jackson", "java.", "Exception",
            "Serde", "StreamReadFeature", "JsonReadFeature", "VALUE_NUMBER", "START_OBJECT", "com.example", "lettuce"};

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.role", "web", "micronaut.server.max-request-size", "1024");
    }

    @Test
    void acceptsAJobAndTellsWhereToFollowIt() {
        HttpResponse<String> response = http.postJson("/jobs", """
                {"type": "greet", "payload": {"name": "Ada"}}""");

        assertEquals(202, response.statusCode(), response.body());
        Map<String, Object> job = http.json(response);
        assertEquals("greet", job.get("type"));
        assertEquals("QUEUED", job.get("status"));
        assertEquals(0, job.get("attempts"));
        assertEquals("/jobs/" + job.get("id"), response.headers().firstValue("Location").orElseThrow());

        Map<String, Object> followed = http.json(http.get("/jobs/" + job.get("id")));
        assertEquals(job.get("id"), followed.get("id"));
        assertEquals("QUEUED", followed.get("status"));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyQueuesNothingNew() {
        String body = "{\"type\": \"greet\", \"payload\": {\"name\": \"Ada\"}}";
        HttpRequest.Builder request = http.request("/jobs").header("Content-Type", "application/json")
                .header("Idempotency-Key", "order-17-greeting").POST(HttpRequest.BodyPublishers.ofString(body));

        Map<String, Object> first = http.json(http.send(request.build()));
        Map<String, Object> retried = http.json(http.send(request.build()));
        Map<String, Object> other = http.json(http.postJson("/jobs", body));

        assertEquals(first.get("id"), retried.get("id"));
        assertNotEquals(first.get("id"), other.get("id"));
    }

    static Stream<Arguments> badJobRequests() {
        return Stream.of(
                Arguments.of("malformed JSON", "application/json", "{\"type\": \"greet\", \"payload\": {", 400, "malformed JSON at line 1"),
                Arguments.of("missing type", "application/json", "{\"payload\": {}}", 400, "type"),
                Arguments.of("blank type", "application/json", "{\"type\": \" \", \"payload\": {}}", 400, "type"),
                Arguments.of("missing payload", "application/json", "{\"type\": \"greet\"}", 400, "payload"),
                Arguments.of("payload not an object", "application/json", "{\"type\": \"greet\", \"payload\": 42}", 400, "payload must be a JSON object"),
                Arguments.of("a number too large", "application/json", "{\"type\": \"greet\", \"payload\": {\"n\": 1e400}}", 400, "payload.n"),
                Arguments.of("unknown type", "application/json", "{\"type\": \"mine-bitcoin\", \"payload\": {}}", 422, "Unknown job type 'mine-bitcoin'; known types: "),
                Arguments.of("body over the size limit", "application/json",
                        "{\"type\": \"greet\", \"payload\": {\"name\": \"" + "x".repeat(2000) + "\"}}", 413, ""),
                Arguments.of("not JSON at all", "text/plain", "greet Ada", 415, "application/json"),
                Arguments.of("any type", "*/*", "{\"type\": \"greet\", \"payload\": {}}", 415, "application/json"),
                Arguments.of("a malformed JSON type", "application/json;;;", "{\"type\": \"greet\", \"payload\": {}}", 415, "application/json"));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("badJobRequests")
    void rejectsABadJobRequestWithAProblemBody(String label, String contentType, String body, int status, String detail) {
        HttpResponse<String> response = http.post("/jobs", contentType, body);

        assertProblem(response, status, "/jobs", detail);
    }

    @Test
    void aBodyWithoutContentTypeIsUnsupported() {
        HttpResponse<String> response = http.send(http.request("/jobs")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"greet\", \"payload\": {}}")).build());

        assertProblem(response, 415, "/jobs", "application/json");
    }

    @Test
    void headersTooLargeAndAUriTooLongGetTheirOwnStatus() {
        HttpResponse<String> headers = http.send(http.request("/jobs/x").header("X-Padding", "y".repeat(20_000)).GET().build());
        HttpResponse<String> uri = http.get("/jobs/" + "z".repeat(10_000));

        assertEquals(431, headers.statusCode(), headers.body());
        assertEquals(414, uri.statusCode(), uri.body());
        // The server drops such a connection: the answer must say so, or a client reuses it and loses a request.
        assertEquals("close", headers.headers().firstValue("Connection").orElse(""));
        assertEquals("close", uri.headers().firstValue("Connection").orElse(""));
    }

    @Test
    void answersAnUnknownJobIdWithNotFound() {
        HttpResponse<String> response = http.get("/jobs/no-such-job");

        assertProblem(response, 404, "/jobs/no-such-job", "No job with id 'no-such-job'");
    }

    /** Status, problem fields, the detail naming what was wrong, and nothing of the server's insides. */
    private void assertProblem(HttpResponse<String> response, int status, String path, String detail) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> problem = http.json(response);
        assertEquals(status, problem.get("status"));
        assertEquals(path, problem.get("instance"));
        assertTrue(problem.get("title") instanceof String title && !title.isBlank(), problem.toString());
        assertTrue(String.valueOf(problem.get("detail")).contains(detail),
                "detail should mention '" + detail + "': " + problem);
        for (String internal : INTERNAL_NAMES) {
            assertFalse(response.body().contains(internal), "the answer names '" + internal + "': " + response.body());
        }
    }
}
