package com.example.archetypes.runtime.faults;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated bad requests, from a fixed seed: JSON bodies broken at random places or of every wrong
 * shape, wrong content types, odd ids and paths, long and strange headers, and, on a quarter of the
 * job API's requests, a broken {@code Authorization} header (a valid token altered where its
 * signature covers it, unsigned, with a hostile key id, another scheme, noise). The same seed gives
 * the same requests, so a failure can be replayed.
 */
final class Fuzz {

    /** Words that name how the server is built; an answer to a client never contains one. */
    static final List<String> INTERNAL_NAMES = List.of("io.micronaut", "com.fasterxml", "Jackson", "jackson", "java.lang",
            "java.util", "Exception", "Serde", "StreamReadFeature", "JsonReadFeature", "VALUE_NUMBER", "START_OBJECT",
            "lettuce", "HealthCheckType", "No enum constant", "Infinity");

    private static final String VALID = "{\"type\": \"greet\", \"payload\": {\"name\": \"Ada\", \"n\": [1, 2.5, true, null]}}";
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "APPLICATION/JSON", "text/plain", "*/*", "application/json;;;", "application/xml", "application/json; charset=latin1",
            "multipart/form-data; boundary=x", "");
    private static final List<String> VALUES = List.of("1e400", "-1e400", "1e-400", "-0", "NaN", "Infinity", "\"\\u0000\"",
            "\"\\ud800\"", "[]", "{}", "null", "true", "\"x\"", "12345678901234567890123456789", "0x10", "'single'",
            "\"" + "é".repeat(300) + "\"", "[[[[[[[[[[]]]]]]]]]]");

    private final Random random;
    private final String validToken;

    /** {@code validToken}: a token the service accepts, sent where the token is not what is fuzzed. */
    Fuzz(long seed, String validToken) {
        this.random = new Random(seed);
        this.validToken = validToken;
    }

    /**
     * One request: which endpoint it aims at, and how to build it for a server. {@code tokenBroken}: its
     * {@code Authorization} header is one of the fuzzed ones, which must never be let in.
     */
    record Request(String endpoint, String method, String path, String contentType, String body, String header,
                   String authorization, boolean tokenBroken) {

        HttpRequest build(ServiceProcess web) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(web.uri(path)).timeout(Duration.ofSeconds(30));
            if (!authorization.isEmpty()) {
                builder.header("Authorization", authorization);
            }
            if (!contentType.isEmpty()) {
                builder.header("Content-Type", contentType);
            }
            if (!header.isEmpty()) {
                builder.header("X-Fuzz", header);
            }
            return method.equals("GET") ? builder.GET().build()
                    : builder.method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        }

        @Override
        public String toString() {
            return method + " " + (path.length() > 80 ? path.substring(0, 80) + "..." : path) + " [" + contentType + "] "
                    + (body.length() > 120 ? body.substring(0, 120) + "..." : body)
                    + (tokenBroken ? " Authorization: " + (authorization.length() > 80 ? authorization.substring(0, 80) + "..." : authorization) : "");
        }
    }

    /** {@code perEndpoint} requests for each of POST /jobs, GET /jobs/{id}, GET / and GET /health/{check}. */
    List<Request> requests(int perEndpoint) {
        List<Request> requests = new ArrayList<>();
        String valid = "Bearer " + validToken;
        for (int i = 0; i < perEndpoint; i++) {
            // A broken token comes with a valid job, so that only the token can keep it out.
            requests.add(random.nextInt(4) == 0
                    ? new Request("POST /jobs", "POST", "/jobs", "application/json", VALID, header(), brokenAuthorization(), true)
                    : new Request("POST /jobs", random.nextInt(20) == 0 ? pick(List.of("PUT", "PATCH", "DELETE")) : "POST",
                            "/jobs", pick(CONTENT_TYPES), body(), header(), valid, false));
            boolean breakGetToken = random.nextInt(4) == 0;
            requests.add(new Request("GET /jobs/{id}", "GET", "/jobs/" + segment(), "", "", header(),
                    breakGetToken ? brokenAuthorization() : valid, breakGetToken));
            requests.add(new Request("GET /", "GET", "/?" + encode(text(20)) + "=" + encode(text(50)), "", "", header(), valid, false));
            requests.add(new Request("GET /health/{check}", "GET", "/health/" + segment(), "", "", header(), valid, false));
        }
        return requests;
    }

    /** An Authorization header no service may accept. */
    private String brokenAuthorization() {
        String[] parts = validToken.split("\\.");
        String signingInput = parts[0] + "." + parts[1];
        return switch (random.nextInt(9)) {
            // Altered where the signature covers it (not in the signature, whose last character can
            // carry bits a decoder ignores).
            case 0 -> "Bearer " + mutate(signingInput) + "." + parts[2];
            case 1 -> "Bearer " + base64Url("{\"alg\":\"none\"}") + "." + parts[1] + ".";
            case 2 -> "Bearer " + base64Url("{\"alg\":\"RS256\",\"kid\":\"" + pick(List.of("../../../etc/passwd", "' OR 1=1 --",
                    "${jndi:ldap://127.0.0.1/x}", "", "x".repeat(2000))) + "\"}") + "." + parts[1] + "." + parts[2];
            case 3 -> pick(List.of("Basic ZmF1bHQtdGVzdDpwYXNzd29yZA==", "Bearer", "Bearer ", "Token " + validToken, validToken,
                    "Bearer " + validToken + " " + validToken, "Bearer " + parts[0] + "." + parts[1]));
            case 4 -> "Bearer " + text(random.nextInt(400));
            case 5 -> "Bearer " + parts[0] + "." + parts[1] + "." + text(1 + random.nextInt(300)).replace(' ', 'A');
            case 6 -> "Bearer " + base64Url(text(random.nextInt(100))) + "." + base64Url(text(random.nextInt(200))) + "." + parts[2];
            case 7 -> "Bearer " + "a.".repeat(random.nextInt(2000)) + "a";
            default -> text(random.nextInt(200));
        };
    }

    private static String base64Url(String text) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private String body() {
        return switch (random.nextInt(6)) {
            case 0 -> mutate(VALID);
            case 1 -> VALID.substring(0, random.nextInt(VALID.length()));
            case 2 -> "{\"type\": " + pick(VALUES) + ", \"payload\": " + pick(VALUES) + "}";
            case 3 -> "{\"type\": \"greet\", \"payload\": {\"n\": " + pick(VALUES) + ", \"deep\": "
                    + "[".repeat(random.nextInt(3000)) + "]".repeat(random.nextInt(3000)) + "}}";
            case 4 -> text(random.nextInt(500));
            default -> pick(VALUES);
        };
    }

    private String mutate(String text) {
        StringBuilder mutated = new StringBuilder(text);
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            int at = random.nextInt(mutated.length());
            switch (random.nextInt(3)) {
                case 0 -> mutated.deleteCharAt(at);
                case 1 -> mutated.insert(at, (char) (32 + random.nextInt(95)));
                default -> mutated.setCharAt(at, (char) (32 + random.nextInt(95)));
            }
        }
        return mutated.toString();
    }

    private String segment() {
        return switch (random.nextInt(6)) {
            case 0 -> encode(text(1 + random.nextInt(40)));
            case 1 -> "%2e%2e%2f" + encode(text(5));
            case 2 -> "x".repeat(1 + random.nextInt(6000));
            case 3 -> encode("é€𝄞" + text(3));
            case 4 -> "liveness%00";
            default -> encode(pick(List.of("readiness", "liveness", "LIVENESS", "ready", "", " ", "null", "-1")));
        };
    }

    private String header() {
        return random.nextInt(10) == 0 ? "h".repeat(random.nextInt(20_000)) : "";
    }

    private String text(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) (32 + random.nextInt(95)));
        }
        return text.toString();
    }

    private String pick(List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
