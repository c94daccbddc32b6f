package com.example.archetypes.runtime.faults;

import com.example.archetypes.runtime.testing.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real process of TestService (a service made of this library and the test handlers), in one
 * role, on a port of its own; its output goes to a file beside the test reports. Stopped with SIGTERM, or killed.
 */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String role;
    final int port;
    final Path log;
    private final Process process;

    private ServiceProcess(String role, int port, Path log, Process process) {
        this.role = role;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts TestService in {@code role} with the environment given, on top of the test's short timings. */
    static ServiceProcess start(String role, Map<String, String> environment) {
        int port = FreePort.find();
        String classpath = System.getProperty("service.classpath");
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalStateException("service.classpath is not set: the fault tests run from Maven (./mvnw verify),"
                    + " which passes TestService's class path");
        }
        try {
            Path log = Files.createTempFile(Path.of("target"), "fault-" + role + "-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", classpath, TestService.class.getName()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("APP_ROLE", role);
            env.put("PORT", String.valueOf(port));
            env.put("LOG_FORMAT", "text");
            env.put("METRICS_PORT", "0"); // several processes on one host: each a free metrics port
            env.put("JOBS_VISIBILITY_TIMEOUT", "3s");
            env.put("JOBS_POLL_TIMEOUT", "500ms");
            env.put("JOBS_RETRY_BACKOFF", "200ms");
            env.put("REDIS_TIMEOUT", "1s");
            // The load tests queue hundreds of jobs from one caller: the rate limit is JobLimitsTest's.
            env.put("JOBS_RATE_PER_CALLER", "1000000");
            env.putAll(environment);
            return new ServiceProcess(role, port, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The variables that point a process at the test's Redis key prefix (and database, if it has one),
     * and at the test's token issuer.
     */
    static Map<String, String> environment(Map<String, String> testProperties, String redisUrl) {
        Map<String, String> env = new HashMap<>();
        String url = testProperties.get("datasources.default.url"); // jdbc:mysql://host:port/database?...
        if (url != null) {
            URI jdbc = URI.create(url.substring("jdbc:".length()));
            env.put("DB_HOST", jdbc.getHost());
            env.put("DB_PORT", String.valueOf(jdbc.getPort()));
            env.put("DB_NAME", jdbc.getPath().substring(1));
            env.put("DB_USER", testProperties.get("datasources.default.username"));
            env.put("DB_PASSWORD", testProperties.get("datasources.default.password"));
        }
        env.put("REDIS_URL", redisUrl);
        env.put("REDIS_CLUSTER", testProperties.getOrDefault("app.redis-cluster", "false"));
        env.put("REDIS_KEY_PREFIX", testProperties.get("app.jobs.key-prefix"));
        env.put("AUTH_ISSUER", testProperties.get("app.auth.issuer"));
        env.put("AUTH_JWKS_URL", testProperties.get("app.auth.jwks-url"));
        env.put("AUTH_AUDIENCES", testProperties.get("app.auth.audiences"));
        return env;
    }

    ServiceProcess awaitReady() {
        Await.until(role + " on port " + port + " is ready (log: " + log + ")", Duration.ofSeconds(60),
                () -> status("/health/readiness") == 200 || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException(role + " exited with " + process.exitValue() + "; its log:\n" + output());
        }
        return this;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The status of a GET, or -1 when nothing answers. */
    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, and the exit code, waiting up to {@code within}; -1 if it had not exited by then. */
    int terminate(Duration within) throws InterruptedException {
        process.destroy();
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGKILL: the process dies at once, holding whatever it held. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP or SIGCONT: the process freezes, or goes on, as a stalled machine would. */
    void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits for the process to exit on its own; its exit code, or -1 if it did not within {@code within}. */
    int awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
