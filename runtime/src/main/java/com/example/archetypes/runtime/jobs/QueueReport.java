package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WorkerRole;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Every {@code app.jobs.report-interval} one worker (of however many there are) logs how many jobs
 * are waiting, running, waiting to retry and dead-lettered: the queue's state in the logs, without a
 * Redis client at hand.
 */
@WorkerRole
@Singleton
class QueueReport implements PeriodicTask {

    private static final Logger LOG = LoggerFactory.getLogger(QueueReport.class);

    private final JobQueue queue;
    private final Duration interval;

    QueueReport(JobQueue queue, JobSettings settings) {
        this.queue = queue;
        this.interval = settings.reportInterval();
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
