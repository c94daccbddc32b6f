package com.example.templateservice.jobs;

import com.example.templateservice.WorkerRole;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * The example periodic task (what Celery beat scheduled in the old stack): every
 * {@code app.jobs.report-interval} one worker logs how many jobs are waiting, running, waiting to
 * retry and dead-lettered. Copy this class for tasks of your own.
 */
@WorkerRole
@Singleton
class QueueReport {

    private static final Logger LOG = LoggerFactory.getLogger(QueueReport.class);

    private final JobQueue queue;
    private final JobSettings settings;
    private final String owner = ManagementFactory.getRuntimeMXBean().getName();

    QueueReport(JobQueue queue, JobSettings settings) {
        this.queue = queue;
        this.settings = settings;
    }

    /** Empty when another worker has already reported in this interval. */
    @Scheduled(fixedRate = "${app.jobs.report-interval}", initialDelay = "${app.jobs.report-interval}")
    Optional<JobQueue.Stats> report() {
        if (!queue.claimPeriodicRun("queue-report", owner, settings.reportInterval())) {
            return Optional.empty();
        }
        JobQueue.Stats stats = queue.stats();
        LOG.info("Job queue: {} waiting, {} running, {} waiting to retry, {} dead-lettered",
                stats.waiting(), stats.running(), stats.retrying(), stats.dead());
        return Optional.of(stats);
    }
}
