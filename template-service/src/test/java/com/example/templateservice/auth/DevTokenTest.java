package com.example.templateservice.auth;

import com.example.archetypes.runtime.testing.ServiceTest;
import com.example.archetypes.runtime.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The laptop issuer of the README's Authentication section, as a new user runs it: the settings
 * printed by dev-auth/make-dev-keys.sh make the service trust dev-auth/token.sh's tokens, and no
 * other's.
 */
class DevTokenTest extends ServiceTest {

    @Override
    protected Map<String, String> properties() {
        Map<String, String> settings = new HashMap<>();
        for (String line : run("dev-auth/make-dev-keys.sh").lines().toList()) {
            String[] setting = line.replaceFirst("^export ", "").split("=", 2);
            String key = switch (setting[0]) {
                case "AUTH_ISSUER" -> "app.auth.issuer";
                case "AUTH_JWKS_URL" -> "app.auth.jwks-url";
                case "AUTH_AUDIENCES" -> "app.auth.audiences";
                default -> throw new AssertionError("make-dev-keys.sh printed " + line);
            };
            settings.put(key, setting[1]);
        }
        settings.put("app.role", "web");
        return settings;
    }

    @Test
    void aTokenFromTheLaptopIssuerQueuesAndReadsAJob() {
        TestHttp client = http.withToken(run("dev-auth/token.sh").trim());
        HttpResponse<String> posted = client.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {\"name\": \"Ada\"}}");
        assertEquals(202, posted.statusCode(), posted.body());
        HttpResponse<String> read = client.get(posted.headers().firstValue("Location").orElseThrow());
        assertEquals(200, read.statusCode(), read.body());
    }

    @Test
    void aReadOnlyLaptopTokenCannotQueue() {
        TestHttp client = http.withToken(run("dev-auth/token.sh", "alice", "jobs:read").trim());
        assertEquals(403, client.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {}}").statusCode());
    }

    @Test
    void theTestIssuersTokensAreNoLongerTrusted() {
        assertEquals(401, http.postJson("/jobs", "{\"type\": \"greet\", \"payload\": {}}").statusCode());
    }

    private static String run(String... command) {
        try {
            List<String> line = new java.util.ArrayList<>(List.of("bash"));
            line.addAll(List.of(command));
            Process process = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed: " + output);
            return output;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
