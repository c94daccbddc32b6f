package com.example.templateservice.visits;

import com.example.archetypes.runtime.WorkerRole;
import com.example.archetypes.runtime.jobs.PeriodicTask;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The example periodic task: every {@code app.visits.report-interval} ({@code VISITS_REPORT_INTERVAL})
 * one worker, however many run, logs how many visits the home page has had. Copy it for tasks of your
 * own; keep them short, and queue a job for anything long.
 */
@WorkerRole
@Singleton
class VisitReport implements PeriodicTask {

    private static final Logger LOG = LoggerFactory.getLogger(VisitReport.class);

    private final VisitCounter visitCounter;
    private final Duration interval;

    VisitReport(VisitCounter visitCounter, @Value("${app.visits.report-interval}") Duration interval) {
        this.visitCounter = visitCounter;
        this.interval = interval;
    }

    @Override
    public String name() {
        return "visit-report";
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public void run() {
        LOG.info("The home page has had {} visits", visitCounter.visits("/"));
    }
}
