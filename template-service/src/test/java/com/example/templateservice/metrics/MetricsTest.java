package com.example.templateservice.metrics;

import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's own metrics, as its metrics port serves them (the runtime library's README,
 * "Metrics"): the page's requests, the database pool's connections, and none of it on the service's
 * port.
 */
class MetricsTest extends ServiceTest {

    private static final Pattern HOME_PAGE_COUNT = Pattern.compile(
            "(?m)^http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"200\"[^}]*uri=\"root\"[^}]*} (\\S+)$"); // micronaut-micrometer names the route "/" root

    @Inject
    PrometheusMeterRegistry prometheus;

    @Test
    void aPageVisitMovesTheHttpServerTimerByOne() {
        double before = homePageCount(prometheus.scrape());
        assertEquals(200, http.get("/").statusCode());
        double after = Await.until("the visit to be counted", Duration.ofSeconds(20),
                () -> homePageCount(prometheus.scrape()), count -> count > before);
        assertEquals(before + 1, after);
    }

    @Test
    void theDatabasePoolIsMeasured() {
        http.get("/");
        String text = prometheus.scrape();
        for (String name : List.of("hikaricp_connections_active", "hikaricp_connections_idle",
                "hikaricp_connections_pending", "hikaricp_connections_max")) {
            assertTrue(text.lines().anyMatch(line -> line.startsWith(name + "{")), name + " is served");
        }
    }

    @Test
    void theServicePortServesNoMetrics() {
        assertEquals(401, http.withToken(null).get("/metrics").statusCode(), "without a token");
        assertEquals(403, http.get("/metrics").statusCode(), "with a caller's token");
    }

    private static double homePageCount(String text) {
        Matcher matcher = HOME_PAGE_COUNT.matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
