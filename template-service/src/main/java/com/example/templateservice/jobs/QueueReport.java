package com.example.templateservice.jobs;

import com.example.templateservice.WorkerRole;
import com.example.templateservice.jobs.engine.JobQueue;
import com.example.templateservice.jobs.engine.PeriodicTask;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The example periodic task: every {@code app.jobs.report-interval} ({@code JOBS_REPORT_INTERVAL})
 * one worker logs how many jobs are waiting, running, waiting to retry and dead-lettered. Copy it for
 * tasks of your own; keep them short, and queue a job for anything long.
 */
@WorkerRole
@Singleton
class QueueReport implements PeriodicTask {

    private static final Logger LOG = LoggerFactory.getLogger(QueueReport.class);

    private final JobQueue queue;
    private final Duration interval;

    QueueReport(JobQueue queue, @Value("${app.jobs.report-interval}") Duration interval) {
        this.queue = queue;
        this.interval = interval;
    }

    @Override
    public String name() {
        return "queue-report";
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public void run() {
        JobQueue.Stats stats = queue.stats();
        LOG.info("Job queue: {} waiting, {} running, {} waiting to retry, {} dead-lettered",
                stats.waiting(), stats.running(), stats.retrying(), stats.dead());
    }
}
