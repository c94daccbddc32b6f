package com.example.templateservice.visits;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.example.archetypes.runtime.testing.Await;
import com.example.archetypes.runtime.testing.ServiceTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The example periodic task runs on its interval in the worker and reports the page's visits. */
class VisitReportTest extends ServiceTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(VisitReport.class);

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.visits.report-interval", "200ms");
    }

    @BeforeEach
    void captureTheReport() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void stopCapturing() {
        logger.detachAppender(logged);
    }

    @Test
    void theReportCountsTheVisitsOfTheHomePage() {
        assertEquals(200, http.get("/").statusCode());
        assertEquals(200, http.get("/").statusCode());

        Await.until("the report says 2 visits", Duration.ofSeconds(10), () -> messages().contains("The home page has had 2 visits"));
    }

    private List<String> messages() {
        synchronized (logged) { // the appender adds under its own lock
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
