package com.example.templateservice.jobs;

import com.example.templateservice.WorkerRole;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs queued jobs, {@code app.jobs.worker-threads} at a time. A job is acknowledged only after its
 * handler has returned or its failure has been recorded, so a worker that dies mid-job loses
 * nothing: while a job runs its worker sends heartbeats, and once they stop for longer than the
 * visibility timeout another worker takes the job over.
 */
@WorkerRole
@Singleton
public class JobWorker {

    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);

    private final JobQueue queue;
    private final JobHandlers handlers;
    private final JobSettings settings;
    private final RedisClient redisClient;
    /** Unique per process, so that Redis can tell which worker holds which job. */
    private final String name = ManagementFactory.getRuntimeMXBean().getName() + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    private final List<Thread> threads = new ArrayList<>();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "job-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;

    JobWorker(JobQueue queue, JobHandlers handlers, JobSettings settings, RedisClient redisClient) {
        this.queue = queue;
        this.handlers = handlers;
        this.settings = settings;
        this.redisClient = redisClient;
    }

    /** Starts the worker threads once the application context is up. */
    @EventListener
    synchronized void start(StartupEvent event) {
        running = true;
        for (int i = 1; i <= settings.workerThreads(); i++) {
            String consumer = name + "-" + i;
            Thread thread = new Thread(() -> work(consumer), "job-worker-" + i);
            // A daemon thread never holds the JVM open: a job cut off at exit stays unacknowledged,
            // and another worker takes it over.
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        LOG.info("Job worker {} started {} thread(s) for job types {}", name, threads.size(), handlers.types());
    }

    /**
     * Stops taking jobs and waits, up to the shutdown timeout, for the jobs in flight to finish. A job
     * still running after that stays unacknowledged, and another worker takes it over.
     */
    @PreDestroy
    synchronized void stop() throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (thread.isAlive()) {
                LOG.warn("{} did not finish its job within {}; another worker will take it over",
                        thread.getName(), settings.shutdownTimeout());
            }
        }
        threads.clear();
        heartbeats.shutdownNow();
        LOG.info("Job worker {} stopped", name);
    }

    private void work(String consumer) {
        while (running) {
            // Its own connection: waiting for new jobs blocks the connection it waits on.
            try (StatefulRedisConnection<String, String> connection = redisClient.connect()) {
                connection.setTimeout(settings.pollTimeout().plusSeconds(5));
                queue.createConsumerGroup();
                while (running) {
                    for (JobQueue.Delivery delivery : queue.next(connection.sync(), consumer)) {
                        run(delivery, consumer);
                    }
                }
            } catch (RedisException e) {
                Duration pause = settings.pollTimeout();
                LOG.warn("Reading the job queue failed ({}); the worker tries again in {}", e.getMessage(), pause);
                sleep(pause);
            }
        }
    }

    private void run(JobQueue.Delivery delivery, String consumer) {
        Optional<JobQueue.StartedJob> started = queue.start(delivery);
        if (started.isEmpty()) {
            LOG.warn("Job {} expired before it could run; dropping it", delivery.jobId());
            queue.discard(delivery);
            return;
        }
        JobQueue.StartedJob job = started.get();
        long heartbeatMillis = Math.max(1, settings.visibilityTimeout().toMillis() / 3);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> keepClaimed(delivery, consumer),
                heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        Map<String, Object> result;
        try {
            JobHandler handler = handlers.find(job.type())
                    .orElseThrow(() -> new IllegalStateException("no handler for job type '" + job.type() + "'"));
            result = handler.handle(job.payload());
        } catch (Exception e) {
            fail(delivery, job, e);
            return;
        } finally {
            heartbeat.cancel(false);
        }
        queue.complete(delivery, result);
        LOG.info("Job {} ({}) done on attempt {}", job.id(), job.type(), job.attempt());
    }

    private void fail(JobQueue.Delivery delivery, JobQueue.StartedJob job, Exception cause) {
        String error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (job.attempt() >= settings.maxAttempts()) {
            queue.deadLetter(delivery, error);
            LOG.error("Job {} ({}) failed attempt {} of {}, moved to the dead-letter stream: {}",
                    job.id(), job.type(), job.attempt(), settings.maxAttempts(), error);
        } else {
            Duration delay = settings.backoffAfter(job.attempt());
            queue.retryLater(delivery, error, delay);
            LOG.warn("Job {} ({}) failed attempt {} of {}, retrying in {}: {}",
                    job.id(), job.type(), job.attempt(), settings.maxAttempts(), delay, error);
        }
    }

    private void keepClaimed(JobQueue.Delivery delivery, String consumer) {
        try {
            queue.keepClaimed(delivery, consumer);
        } catch (RedisException e) {
            LOG.warn("Heartbeat for job {} failed ({}); it may be taken over", delivery.jobId(), e.getMessage());
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
