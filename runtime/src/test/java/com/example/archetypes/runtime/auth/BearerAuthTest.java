package com.example.archetypes.runtime.auth;

import com.example.archetypes.runtime.testing.ServiceTest;
import com.example.archetypes.runtime.testing.TestHttp;
import com.example.archetypes.runtime.testing.TestIssuer;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may use the job API: tokens made by a test issuer whose keys are served on 127.0.0.1, against
 * the web role on real Redis. Every refused request is checked for its status, its
 * WWW-Authenticate, a problem body that does not echo the token, and that nothing was queued.
 */
class BearerAuthTest extends ServiceTest {

    private static final String JOB = "{\"type\": \"greet\", \"payload\": {\"name\": \"Ada\"}}";

    private RedisClient redisClient;
    private StatefulRedisConnection<String, String> redis;

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.role", "web");
    }

    @BeforeAll
    void connectRedis() {
        redisClient = RedisClient.create(services.redisUrl());
        redis = redisClient.connect();
    }

    @AfterAll
    void closeRedis() {
        redis.close();
        redisClient.shutdown();
    }

    private long queued() {
        return redis.sync().exists(services.key("jobs")) == 0 ? 0 : redis.sync().xlen(services.key("jobs"));
    }

    private TestIssuer issuer() {
        return services.issuer();
    }

    @Test
    void aWriteTokenQueuesAndAReadTokenReadsTheCallersOwnJob() {
        HttpResponse<String> posted = http.withToken(issuer().token("alice", "jobs:write")).postJson("/jobs", JOB);
        assertEquals(202, posted.statusCode(), posted.body());
        String id = (String) http.json(posted).get("id");

        HttpResponse<String> read = http.withToken(issuer().token("alice", "jobs:read")).get("/jobs/" + id);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(id, http.json(read).get("id"));
    }

    @Test
    void anotherCallersJobIsNotFoundUnlessTheCallerMayReadAll() {
        String id = (String) http.json(http.withToken(issuer().token("alice", "jobs:write")).postJson("/jobs", JOB)).get("id");

        HttpResponse<String> mallory = http.withToken(issuer().token("mallory", "jobs:read jobs:write")).get("/jobs/" + id);
        assertEquals(404, mallory.statusCode(), mallory.body());
        HttpResponse<String> missing = http.withToken(issuer().token("mallory", "jobs:read")).get("/jobs/no-such-job");
        assertEquals(missing.body().replace("no-such-job", id), mallory.body(), "another's job must look like no job at all");

        HttpResponse<String> operator = http.withToken(issuer().token("operator", "jobs:read-all")).get("/jobs/" + id);
        assertEquals(200, operator.statusCode(), operator.body());
    }

    @Test
    void idempotencyKeysBelongToTheirCaller() {
        var alice = http.withToken(issuer().token("alice", "jobs:write jobs:read"));
        var bob = http.withToken(issuer().token("bob", "jobs:write jobs:read"));
        String aliceJob = (String) alice.json(alice.send(alice.request("/jobs").header("Content-Type", "application/json")
                .header("Idempotency-Key", "shared-key").POST(java.net.http.HttpRequest.BodyPublishers.ofString(JOB)).build())).get("id");
        String bobJob = (String) bob.json(bob.send(bob.request("/jobs").header("Content-Type", "application/json")
                .header("Idempotency-Key", "shared-key").POST(java.net.http.HttpRequest.BodyPublishers.ofString(JOB)).build())).get("id");
        assertFalse(aliceJob.equals(bobJob), "bob's retry with alice's key must not answer alice's job");
        assertEquals(200, bob.get("/jobs/" + bobJob).statusCode());
    }

    @Test
    void theHomePageAndHealthNeedNoToken() {
        assertEquals(200, http.withToken(null).get("/health").statusCode());
    }

    /** A refused request: how to make its token (null: send the header as is) and what it must get. */
    static Stream<Arguments> refusedRequests() {
        return Stream.<Arguments>of(
                Arguments.of("no token", (Function<TestIssuer, String>) issuer -> null, null, 401, "Bearer", "needs an access token"),
                Arguments.of("a Basic header", (Function<TestIssuer, String>) issuer -> null, "Basic YWxhZGRpbjpvcGVuc2VzYW1l", 401,
                        "Bearer", "must be 'Bearer '"),
                Arguments.of("Bearer and nothing", (Function<TestIssuer, String>) issuer -> null, "Bearer ", 401, "Bearer", "must be 'Bearer '"),
                Arguments.of("not a JWT", (Function<TestIssuer, String>) issuer -> "not-a-jwt", null, 401, "Bearer error=\"invalid_token\"",
                        "not a well-formed JWT"),
                Arguments.of("expired", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", "jobs:write")
                        .expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(5)))).build()), null, 401,
                        "Bearer error=\"invalid_token\"", "has expired"),
                Arguments.of("not yet valid", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", "jobs:write")
                        .notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(5)))).build()), null, 401,
                        "Bearer error=\"invalid_token\"", "not valid yet"),
                Arguments.of("no expiry", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", "jobs:write")
                        .expirationTime(null).build()), null, 401, "Bearer error=\"invalid_token\"", "no expiry"),
                Arguments.of("wrong issuer", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", "jobs:write")
                        .issuer("https://evil.example/pool").build()), null, 401, "Bearer error=\"invalid_token\"",
                        "not issued by the issuer this service trusts"),
                Arguments.of("wrong client", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", "jobs:write")
                        .claim("client_id", "another-client").build()), null, 401, "Bearer error=\"invalid_token\"",
                        "not meant for this service"),
                Arguments.of("wrong audience", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", "jobs:write")
                        .claim("client_id", null).audience("another-service").build()), null, 401, "Bearer error=\"invalid_token\"",
                        "not meant for this service"),
                Arguments.of("unknown kid", (Function<TestIssuer, String>) issuer -> TestIssuer.sign(issuer.claims("eve", "jobs:write").build(),
                        newKey("unpublished-key")), null, 401, "Bearer error=\"invalid_token\"", "a key the issuer does not publish"),
                Arguments.of("bad signature", (Function<TestIssuer, String>) issuer -> TestIssuer.sign(issuer.claims("eve", "jobs:write").build(),
                        newKey(issuer.publicKey().getKeyID())), null, 401, "Bearer error=\"invalid_token\"", "signature is not valid"),
                Arguments.of("tampered claims", (Function<TestIssuer, String>) BearerAuthTest::tampered, null, 401,
                        "Bearer error=\"invalid_token\"", "signature is not valid"),
                Arguments.of("alg none", (Function<TestIssuer, String>) issuer -> new PlainJWT(issuer.claims("eve", "jobs:write").build())
                        .serialize(), null, 401, "Bearer error=\"invalid_token\"", "not signed"),
                Arguments.of("HMAC with the public key as secret", (Function<TestIssuer, String>) BearerAuthTest::hmacWithPublicKey, null, 401,
                        "Bearer error=\"invalid_token\"", "signed with HS256"),
                Arguments.of("missing scope", (Function<TestIssuer, String>) issuer -> issuer.token("eve", "jobs:read"), null, 403, null,
                        "does not grant the scope"),
                Arguments.of("no scope at all", (Function<TestIssuer, String>) issuer -> issuer.sign(issuer.claims("eve", null).build()),
                        null, 403, null, "does not grant the scope"));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("refusedRequests")
    void aRefusedTokenQueuesNothing(String label, Function<TestIssuer, String> token, String rawHeader, int status,
                                    String challenge, String detail) {
        long before = queued();
        String made = token.apply(issuer());
        var request = http.withToken(null).request("/jobs").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JOB));
        if (made != null) {
            request.header("Authorization", "Bearer " + made);
        } else if (rawHeader != null) {
            request.header("Authorization", rawHeader);
        }
        HttpResponse<String> response = http.send(request.build());

        assertEquals(status, response.statusCode(), response.body());
        assertEquals(challenge, response.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains(detail), response.body());
        if (made != null) {
            assertFalse(response.body().contains(made), "the answer echoes the token");
        }
        assertEquals(before, queued(), "a refused request queued a job");
    }

    @Test
    void aReadNeedsAToken() {
        String id = (String) http.json(http.postJson("/jobs", JOB)).get("id");
        HttpResponse<String> response = http.withToken(null).get("/jobs/" + id);
        assertEquals(401, response.statusCode());
        assertFalse(response.body().contains("greet"), response.body());
        HttpResponse<String> writer = http.withToken(issuer().token("test-caller", "jobs:write")).get("/jobs/" + id);
        assertEquals(403, writer.statusCode());
    }

    @Test
    void withAScopePrefixOnlyTheScopesOfThisResourceServerCount() {
        // As Cognito names them: <resource server>/<scope>.
        try (EmbeddedServer web = services.startServer("web", Map.of("app.auth.scope-prefix", "template-service/"))) {
            TestHttp client = new TestHttp(web.getURI(), issuer().token("machine", "template-service/jobs:write"));
            long before = queued();

            assertEquals(202, client.postJson("/jobs", JOB).statusCode());
            HttpResponse<String> bare = client.withToken(issuer().token("machine", "jobs:write")).postJson("/jobs", JOB);
            HttpResponse<String> other = client.withToken(issuer().token("machine", "billing/jobs:write")).postJson("/jobs", JOB);

            assertEquals(403, bare.statusCode(), bare.body());
            assertEquals(403, other.statusCode(), other.body());
            assertEquals(before + 1, queued());
        }
    }

    @Test
    void keysThatCannotBeFetchedAnswer503AndLetNothingThrough() {
        Map<String, String> unreachable = new HashMap<>();
        unreachable.put("app.auth.jwks-url", "http://127.0.0.1:" + freePort() + "/.well-known/jwks.json");
        try (EmbeddedServer web = services.startServer("web", unreachable)) {
            long before = queued();
            TestHttp client = new TestHttp(web.getURI(), issuer().token("alice", "jobs:write jobs:read"));
            HttpResponse<String> response = client.postJson("/jobs", JOB);
            assertEquals(503, response.statusCode(), response.body());
            assertEquals("5", response.headers().firstValue("Retry-After").orElse(""));
            assertTrue(response.body().contains("signing keys cannot be fetched"), response.body());
            assertEquals(before, queued());
        }
    }

    @Test
    void keysNoLongerServedAnswer503ForAKeyNotYetSeen() {
        TestIssuer issuer = new TestIssuer();
        Map<String, String> settings = new HashMap<>(issuer.settings());
        try (EmbeddedServer web = services.startServer("web", settings)) {
            TestHttp client = new TestHttp(web.getURI(), issuer.token("alice", "jobs:write"));
            assertEquals(202, client.postJson("/jobs", JOB).statusCode());
            issuer.close();
            long before = queued();
            String unseenKey = TestIssuer.sign(issuer.claims("alice", "jobs:write").build(), newKey("rotated-key"));
            HttpResponse<String> response = client.withToken(unseenKey).postJson("/jobs", JOB);
            assertEquals(503, response.statusCode(), response.body());
            assertEquals(before, queued());
        } finally {
            issuer.close();
        }
    }

    @Test
    void anUnknownKeyIdMakesTheServiceFetchTheKeysAgain() throws InterruptedException {
        try (EmbeddedServer web = services.startServer("web", Map.of("app.auth.jwks-min-refresh-interval", "100ms"))) {
            TestHttp client = new TestHttp(web.getURI(), issuer().token("alice", "jobs:write"));
            assertEquals(202, client.postJson("/jobs", JOB).statusCode());
            Thread.sleep(200);
            int before = issuer().fetches();
            String unknown = TestIssuer.sign(issuer().claims("eve", "jobs:write").build(), newKey("never-published"));
            assertEquals(401, client.withToken(unknown).postJson("/jobs", JOB).statusCode());
            assertEquals(before + 1, issuer().fetches(), "an unknown kid must make the service fetch the keys again");
        }
    }

    @Test
    void theWebRoleRefusesToStartWithoutTheIssuerSettings() {
        Map<String, Object> properties = new HashMap<>(services.properties());
        properties.remove("app.auth.issuer");
        properties.remove("app.auth.audiences");
        properties.put("app.role", "web");
        properties.put("micronaut.server.port", -1);
        Exception failure = assertThrows(Exception.class, () -> ApplicationContext.run(EmbeddedServer.class, properties, "test").close());
        Throwable cause = failure;
        while (!(cause instanceof AuthSettingsRejected) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof AuthSettingsRejected, String.valueOf(failure));
        assertTrue(cause.getMessage().contains("set AUTH_ISSUER (app.auth.issuer), AUTH_AUDIENCES (app.auth.audiences)"),
                cause.getMessage());
    }

    @Test
    void keysOverPlainHttpFromAnotherMachineAreRefusedAtStart() {
        Map<String, String> remote = Map.of("app.auth.jwks-url", "http://203.0.113.7/.well-known/jwks.json");
        Exception failure = assertThrows(Exception.class, () -> services.startServer("web", remote).close());
        Throwable cause = failure;
        while (!(cause instanceof AuthSettingsRejected) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("must come from an https:// URL"), String.valueOf(cause));
    }

    /** A port on 127.0.0.1 that nothing listens on. */
    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static RSAKey newKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid token whose claims were changed after signing (a scope added). */
    private static String tampered(TestIssuer issuer) {
        String[] parts = issuer.token("eve", "jobs:read").split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replace("jobs:read", "jobs:write");
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
    }

    /** The classic confusion attack: HS256 with the issuer's public key (as published) for the secret. */
    private static String hmacWithPublicKey(TestIssuer issuer) {
        try {
            JWTClaimsSet claims = issuer.claims("eve", "jobs:write").build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(issuer.publicKey().getKeyID()).build(), claims);
            jwt.sign(new MACSigner(issuer.publicKey().toRSAPublicKey().getEncoded()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
