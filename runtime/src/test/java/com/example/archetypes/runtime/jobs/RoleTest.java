package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.TestHttp;
import com.example.archetypes.runtime.testing.TestServices;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** APP_ROLE decides what a process does; every role answers /health. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleTest {

    private final TestServices services = new TestServices();

    @AfterAll
    void removeTestData() {
        services.close();
    }

    @Test
    void theWebRoleServesTheJobApiAndRunsNoWorker() {
        try (EmbeddedServer server = services.startServer("web", Map.of())) {
            TestHttp http = services.http(server.getURI());
            assertEquals(202, http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {}}").statusCode());
            assertEquals(200, http.get("/health").statusCode());
            assertFalse(server.getApplicationContext().containsBean(JobWorker.class));
        }
    }

    @Test
    void theWorkerRoleRunsTheWorkerAndServesOnlyHealth() {
        try (EmbeddedServer server = services.startServer("worker", Map.of())) {
            TestHttp http = services.http(server.getURI());
            assertEquals(404, http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {}}").statusCode());
            assertEquals(200, http.get("/health").statusCode());
            assertTrue(server.getApplicationContext().containsBean(JobWorker.class));
        }
    }

    @Test
    void anUnknownRoleStopsStartUpWithAMessageNamingIt() {
        Exception failure = assertThrows(Exception.class, () -> services.startServer("wrker", Map.of()).close());

        String message = rootCause(failure).getMessage();
        assertTrue(message.contains("APP_ROLE (app.role) is 'wrker': it must be one of web, worker, all"), message);
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
