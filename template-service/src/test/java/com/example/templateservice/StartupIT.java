package com.example.templateservice;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar, started as the image starts it, against a database port where nothing listens,
 * or without the authentication settings: one line saying what to fix, exit code 1, no stack trace.
 */
class StartupIT {

    /** Settings of an issuer whose keys are never fetched: the service fails before any request. */
    private static final Map<String, String> AUTH = Map.of("AUTH_ISSUER", "https://issuer.test/startup",
            "AUTH_JWKS_URL", "https://issuer.test/startup/.well-known/jwks.json", "AUTH_AUDIENCES", "startup-test");

    @Test
    void aDatabaseThatCannotBeReachedGetsOneClearLineAndExitCode1() throws Exception {
        int closedPort = freePort();
        String error = failsWithOneLine(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(closedPort),
                "DB_NAME", "startup_test"), AUTH);
        assertTrue(error.contains("Cannot reach the database at 127.0.0.1:" + closedPort + " (database startup_test)"), error);
    }

    @Test
    void withoutTheAuthenticationSettingsTheWebRoleRefusesToStart() throws Exception {
        String error = failsWithOneLine(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(freePort())), Map.of());
        assertTrue(error.contains("Authentication is not configured: set AUTH_ISSUER (app.auth.issuer), AUTH_JWKS_URL"
                + " (app.auth.jwks-url), AUTH_AUDIENCES (app.auth.audiences)"), error);
    }

    /** Starts the jar in the web role with {@code environment}; asserts it exits 1 with one error line, and returns it. */
    private static String failsWithOneLine(Map<String, String> environment, Map<String, String> auth) throws Exception {
        Path jar = Path.of(System.getProperty("service.jar", "target/service.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is missing: this test runs the packaged jar (./mvnw verify)");
        Path log = Files.createTempFile(Path.of("target"), "startup-", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AUTH_"));
        builder.environment().putAll(Map.of("APP_ROLE", "web", "PORT", String.valueOf(freePort()), "LOG_FORMAT", "text"));
        builder.environment().putAll(environment);
        builder.environment().putAll(auth);
        Process service = builder.start();

        boolean exited = service.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        List<String> errors = output.lines().filter(line -> line.contains("ERROR")).toList();
        System.out.printf("StartupIT: %s: exit %s, %d output lines, the error: %s%n",
                auth.isEmpty() ? "no auth settings" : "no database", exited ? service.exitValue() : "none within 60 s", output.lines().count(), errors);

        assertTrue(exited, "still running 60 s after start:\n" + output);
        assertEquals(1, service.exitValue(), output);
        assertEquals(1, errors.size(), output);
        assertTrue(output.lines().noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception in thread")),
                "a stack trace:\n" + output);
        return errors.get(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
