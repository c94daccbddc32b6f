package com.example.archetypes.runtime.metrics;

import com.example.archetypes.runtime.testing.TestServices;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A metrics port already taken leaves the service running without one; -1 opens none. */
class PrometheusPortTest {

    private final TestServices services = new TestServices();

    @AfterEach
    void removeTestData() {
        services.close();
    }

    @Test
    void aTakenPortIsAWarningNotAFailure() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ApplicationContext context = services.start("all",
                     Map.of("app.metrics.port", String.valueOf(taken.getLocalPort())))) {
            assertTrue(context.isRunning(), "the service runs");
            assertEquals(-1, context.getBean(PrometheusPort.class).boundPort(), "without a metrics port of its own");
        }
    }

    @Test
    void minusOneOpensNoPort() {
        try (ApplicationContext context = services.start("all", Map.of("app.metrics.port", "-1"))) {
            assertTrue(context.findBean(PrometheusPort.class).isEmpty());
        }
    }
}
