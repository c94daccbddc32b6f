package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.ServiceTest;
import com.example.archetypes.runtime.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job API's contract: the OpenAPI document the build writes from JobController must be the one
 * committed in runtime/jobs-api.yml, so that an API change cannot land without its document changing
 * in the same commit (a reviewer sees both); it names the bearer scheme, the scopes and the problem
 * answers; and the service serves it, to anyone.
 */
class OpenApiDocumentTest extends ServiceTest {

    private static final Path COMMITTED = Path.of("jobs-api.yml");

    @Test
    void theDocumentTheBuildWroteIsTheCommittedOne() throws IOException {
        assertEquals(Files.readString(COMMITTED), built(),
                "the job API changed but runtime/jobs-api.yml did not: copy target/classes/"
                        + OpenApiController.DOCUMENT + " to runtime/jobs-api.yml, read the difference, and commit it");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDocumentNamesTheBearerSchemeTheScopesOfEachOperationAndItsProblemAnswers() throws IOException {
        Map<String, Object> document = new Yaml().load(built());
        assertEquals("3.1.0", document.get("openapi"));
        Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("securitySchemes");
        assertEquals(Map.of("type", "http", "scheme", "bearer", "bearerFormat", "JWT"),
                Map.of("type", ((Map<String, Object>) schemes.get("bearer")).get("type"),
                        "scheme", ((Map<String, Object>) schemes.get("bearer")).get("scheme"),
                        "bearerFormat", ((Map<String, Object>) schemes.get("bearer")).get("bearerFormat")));

        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        Map<String, Object> submit = (Map<String, Object>) ((Map<String, Object>) paths.get("/jobs")).get("post");
        Map<String, Object> status = (Map<String, Object>) ((Map<String, Object>) paths.get("/jobs/{id}")).get("get");
        assertEquals(List.of(Map.of("bearer", List.of("jobs:write"))), submit.get("security"));
        // Either scope reads a job: two requirements, not one that needs both.
        assertEquals(List.of(Map.of("bearer", List.of("jobs:read")), Map.of("bearer", List.of("jobs:read-all"))),
                status.get("security"));
        for (Map.Entry<String, List<String>> operation : Map.of(
                "POST /jobs", List.of("400", "401", "403", "422", "429", "503"),
                "GET /jobs/{id}", List.of("401", "403", "404", "503")).entrySet()) {
            Map<String, Object> responses = (Map<String, Object>) (operation.getKey().startsWith("POST") ? submit : status).get("responses");
            for (String code : operation.getValue()) {
                Map<String, Object> answer = (Map<String, Object>) responses.get(code);
                assertNotNull(answer, operation.getKey() + " does not document " + code);
                Map<String, Object> content = (Map<String, Object>) answer.get("content");
                assertTrue(content != null && content.containsKey("application/problem+json"),
                        operation.getKey() + " " + code + " is not documented as a problem body: " + answer);
            }
        }
        assertTrue(((Map<String, Object>) ((Map<String, Object>) document.get("components")).get("schemas")).containsKey("Problem"));

        // Retry-After as the service sends it: whole seconds, at least one.
        for (Map.Entry<String, Map<String, Object>> operation : Map.of("POST /jobs 429", submit, "POST /jobs 503", submit,
                "GET /jobs/{id} 503", status).entrySet()) {
            String code = operation.getKey().substring(operation.getKey().lastIndexOf(' ') + 1);
            Map<String, Object> answer = (Map<String, Object>) ((Map<String, Object>) operation.getValue().get("responses")).get(code);
            Map<String, Object> retryAfter = (Map<String, Object>) ((Map<String, Object>) answer.get("headers")).get("Retry-After");
            Map<String, Object> schema = (Map<String, Object>) retryAfter.get("schema");
            assertEquals("integer", schema.get("type"), operation.getKey() + "'s Retry-After: " + schema);
            assertEquals(1, schema.get("minimum"), operation.getKey() + "'s Retry-After: " + schema);
        }
        // The Idempotency-Key header: an optional string of printable ASCII, nothing else.
        Map<String, Object> key = ((List<Map<String, Object>>) submit.get("parameters")).stream()
                .filter(parameter -> "Idempotency-Key".equals(parameter.get("name"))).findFirst().orElseThrow();
        Map<String, Object> keySchema = (Map<String, Object>) key.get("schema");
        assertEquals(List.of("string", "null"), keySchema.get("type"), "Idempotency-Key: " + keySchema);
        assertEquals("^[\\x21-\\x7E]{1,200}$", keySchema.get("pattern"), "Idempotency-Key: " + keySchema);
    }

    @Test
    void theServiceServesTheDocumentWithoutAToken() throws IOException {
        HttpResponse<String> response = new TestHttp(server.getURI()).get("/openapi.yml");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/yaml", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(built(), response.body());
    }

    private static String built() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(OpenApiController.DOCUMENT)) {
            assertNotNull(in, OpenApiController.DOCUMENT + " was not built");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
