package com.example.templateservice.jobs;

import com.example.templateservice.TestHttp;
import com.example.templateservice.TestServices;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP contract of /jobs, run in the web role alone: no worker takes the jobs. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobApiTest implements TestPropertyProvider {

    private final TestServices services = new TestServices();

    @Inject
    EmbeddedServer server;

    @Inject
    JsonMapper json;

    private TestHttp http;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(services.properties());
        properties.put("app.role", "web");
        properties.put("micronaut.server.max-request-size", "1024");
        return properties;
    }

    @BeforeEach
    void connect() {
        http = new TestHttp(server.getURI(), json);
    }

    @AfterAll
    void removeTestData() {
        services.close();
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

    static Stream<Arguments> badJobRequests() {
        return Stream.of(
                Arguments.of("malformed JSON", "application/json", "{\"type\": \"greet\", \"payload\": {", 400, "Invalid JSON request body: payload: Unexpected end-of-input"),
                Arguments.of("missing type", "application/json", "{\"payload\": {}}", 400, "type"),
                Arguments.of("blank type", "application/json", "{\"type\": \" \", \"payload\": {}}", 400, "type"),
                Arguments.of("missing payload", "application/json", "{\"type\": \"greet\"}", 400, "payload"),
                Arguments.of("payload not an object", "application/json", "{\"type\": \"greet\", \"payload\": 42}", 400, "Invalid JSON request body: Unexpected token VALUE_NUMBER_INT, expected START_OBJECT (line 1, column 32)"),
                Arguments.of("unknown type", "application/json", "{\"type\": \"mine-bitcoin\", \"payload\": {}}", 422, "Unknown job type 'mine-bitcoin'; known types: "),
                Arguments.of("body over the size limit", "application/json",
                        "{\"type\": \"greet\", \"payload\": {\"name\": \"" + "x".repeat(2000) + "\"}}", 413, "exceeds the maximum"),
                Arguments.of("not JSON at all", "text/plain", "greet Ada", 415, "text/plain"));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("badJobRequests")
    void rejectsABadJobRequestWithAProblemBody(String label, String contentType, String body, int status, String detail) {
        HttpResponse<String> response = http.post("/jobs", contentType, body);

        assertProblem(response, status, "/jobs", detail);
    }

    @Test
    void answersAnUnknownJobIdWithNotFound() {
        HttpResponse<String> response = http.get("/jobs/no-such-job");

        assertProblem(response, 404, "/jobs/no-such-job", "No job with id 'no-such-job'");
    }

    private void assertProblem(HttpResponse<String> response, int status, String path, String detail) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> problem = http.json(response);
        assertEquals(status, problem.get("status"));
        assertEquals(path, problem.get("instance"));
        assertTrue(problem.get("title") instanceof String title && !title.isBlank(), problem.toString());
        assertTrue(String.valueOf(problem.get("detail")).contains(detail),
                "detail should mention '" + detail + "': " + problem);
    }
}
