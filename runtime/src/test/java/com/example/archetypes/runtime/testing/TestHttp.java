package com.example.archetypes.runtime.testing;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A plain JDK HTTP client for talking to the running service the way any client would; with a
 * bearer token, every request it builds carries it.
 */
public final class TestHttp {

    private static final JsonMapper JSON = JsonMapper.createDefault();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String bearerToken;

    /** A client that sends no token. */
    public TestHttp(URI base) {
        this(base, null);
    }

    /** A client that sends {@code bearerToken} (null: none) as {@code Authorization: Bearer}. */
    public TestHttp(URI base, String bearerToken) {
        this.base = base;
        this.bearerToken = bearerToken;
    }

    /** The same client with another token (null: none). */
    public TestHttp withToken(String token) {
        return new TestHttp(base, token);
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String contentType, String body) {
        return send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> postJson(String path, String body) {
        return post(path, "application/json", body);
    }

    /** A request built from {@link #request(String)}, for headers and methods the shortcuts lack. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        return bearerToken == null ? request : request.header("Authorization", "Bearer " + bearerToken);
    }

    /** The body as a JSON object. */
    public Map<String, Object> json(HttpResponse<String> response) {
        return parse(response.body());
    }

    public static Map<String, Object> parse(String body) {
        try {
            return JSON.readValue(body, Argument.mapOf(String.class, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("Not a JSON object: " + body, e);
        }
    }
}
