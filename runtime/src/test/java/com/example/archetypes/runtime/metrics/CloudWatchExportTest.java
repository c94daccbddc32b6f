package com.example.archetypes.runtime.metrics;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.TestHttp;
import com.example.archetypes.runtime.testing.TestServices;
import com.sun.net.httpserver.HttpServer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What reaches CloudWatch, through the real AWS SDK client pointed at a stub of CloudWatch's API on
 * 127.0.0.1 that keeps every PutMetricData request: with a namespace, exactly the five names the
 * alarms know, without dimensions, and a job dead-lettered is counted once; without one, nothing is
 * sent and no AWS setting is needed.
 */
class CloudWatchExportTest {

    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final Set<String> NAMES = Set.of("jobs.waiting", "jobs.oldest.waiting.age", "jobs.workers",
            "jobs.dead.lettered", "jobs.store.data.losses");

    private final TestServices services = new TestServices();
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private HttpServer cloudWatch;
    private final Map<String, String> savedProperties = new HashMap<>();

    @BeforeEach
    void startStub() throws IOException {
        cloudWatch = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cloudWatch.createContext("/", exchange -> {
            try (exchange) {
                InputStream body = exchange.getRequestBody();
                if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new GZIPInputStream(new ByteArrayInputStream(body.readAllBytes()));
                }
                requests.add(form(new String(body.readAllBytes(), StandardCharsets.UTF_8)));
                byte[] answer = ("<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                        + "<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></PutMetricDataResponse>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/xml");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        cloudWatch.start();
        // The SDK's default credentials chain reads these first; the stub checks no signature.
        for (String key : List.of("aws.accessKeyId", "aws.secretAccessKey")) {
            savedProperties.put(key, System.getProperty(key));
            System.setProperty(key, "test-only");
        }
    }

    @AfterEach
    void stop() {
        cloudWatch.stop(0);
        services.close();
        savedProperties.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    @Test
    void publishesExactlyTheFiveNamesWithoutDimensionsAndCountsADeadLetterOnce() {
        Map<String, String> settings = Map.of(
                "app.metrics.cloudwatch.namespace", "orders-service/test",
                "app.metrics.cloudwatch.step", "1s",
                "app.metrics.cloudwatch.endpoint", "http://127.0.0.1:" + cloudWatch.getAddress().getPort(),
                "app.metrics.cloudwatch.region", "us-east-1");
        try (EmbeddedServer server = services.startServer("all", settings)) {
            TestHttp http = services.http(server.getURI());
            String id = String.valueOf(http.json(http.postJson("/jobs",
                    "{\"type\": \"fails\", \"payload\": {\"how\": \"for-good\"}}")).get("id"));
            Await.until("the job to be dead-lettered", WITHIN,
                    () -> String.valueOf(http.json(http.get("/jobs/" + id)).get("status")), "FAILED"::equals);
            Await.until("its count to be published", WITHIN, () -> sum("jobs.dead.lettered"), sum -> sum >= 1);
            Await.until("a publication after it", WITHIN, () -> requests.size(), size -> size >= 2);
        }
        assertTrue(requests.size() >= 2, "published once per step");
        for (Map<String, String> request : requests) {
            assertEquals("PutMetricData", request.get("Action"));
            assertEquals("orders-service/test", request.get("Namespace"));
            assertEquals(NAMES, names(request), "the metric names in " + request);
            // The Query protocol writes an empty list as "Dimensions=" and a dimension as Dimensions.member.N.Name.
            assertFalse(request.keySet().stream().anyMatch(key -> key.contains("Dimensions.member")), "no dimensions: " + request);
        }
        assertEquals(1.0, sum("jobs.dead.lettered"), "one job dead-lettered, counted once across the steps");
        assertEquals(0.0, sum("jobs.store.data.losses"), "no store lost its data");
        assertTrue(requests.stream().anyMatch(request -> "Seconds".equals(unitOf(request, "jobs.oldest.waiting.age"))),
                "the age in seconds");
    }

    @Test
    void withoutANamespaceNothingIsSentAndNoAwsSettingIsNeeded() {
        try (ApplicationContext context = services.start("all", Map.of())) {
            assertTrue(context.findBean(CloudWatchExport.class).isEmpty(), "no exporter without a namespace");
        }
        assertEquals(List.of(), requests);
    }

    /** The value of {@code name} summed over every request. */
    private double sum(String name) {
        double sum = 0;
        for (Map<String, String> request : requests) {
            for (Map.Entry<String, String> field : request.entrySet()) {
                if (field.getKey().endsWith(".MetricName") && field.getValue().equals(name)) {
                    String member = field.getKey().substring(0, field.getKey().length() - ".MetricName".length());
                    sum += Double.parseDouble(request.get(member + ".Value"));
                }
            }
        }
        return sum;
    }

    private static String unitOf(Map<String, String> request, String name) {
        return request.entrySet().stream()
                .filter(field -> field.getKey().endsWith(".MetricName") && field.getValue().equals(name))
                .map(field -> request.get(field.getKey().replace(".MetricName", ".Unit")))
                .findFirst().orElse(null);
    }

    private static Set<String> names(Map<String, String> request) {
        Set<String> names = new HashSet<>();
        request.forEach((key, value) -> {
            if (key.endsWith(".MetricName")) {
                names.add(value);
            }
        });
        return names;
    }

    /** An application/x-www-form-urlencoded body (the AWS Query protocol's), by field. */
    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        if (fields.isEmpty()) {
            throw new UncheckedIOException(new IOException("not a form body: " + body));
        }
        return fields;
    }
}
