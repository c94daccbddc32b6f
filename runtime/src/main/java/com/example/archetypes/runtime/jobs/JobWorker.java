package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WorkerRole;
import io.lettuce.core.RedisException;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs queued jobs, {@code app.jobs.worker-threads} at a time. One thread reads new jobs from the
 * stream in batches, keeping up to as many jobs again as there are threads read ahead, so that a
 * thread that finishes a job finds its next one here rather than waiting for a read; a timer renews
 * the claims on every job held here and, once per poll timeout, puts due retries back in the stream
 * and takes over jobs that a stopped worker left behind.
 *
 * <p>A job is acknowledged only after its handler has returned or its failure has been recorded, so a
 * worker that dies mid-job loses nothing: its claims stop being renewed, and after the visibility
 * timeout another worker takes the job over. Whatever goes wrong in one job fails that job (retried
 * or dead-lettered, with its error); whatever goes wrong in the loop is logged, the loop goes on, and
 * {@link JobWorkerHealth} says DOWN until it works again.
 */
@WorkerRole
@Singleton
class JobWorker {

    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    /** Errors are stored with the job and shown by GET /jobs/{id}: this much of them, at most. */
    static final int MAX_ERROR_LENGTH = 500;
    /** How often a worker's reader records that it takes work: well within the minute the count looks back. */
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

    private final JobQueue queue;
    private final JobHandlers handlers;
    private final JobSettings settings;
    private final QueueRedis redis;
    private final JobMetrics metrics;
    /** This process's consumer name: Redis tracks which consumer holds which job. */
    private final String name = ManagementFactory.getRuntimeMXBean().getName() + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    /** The deliveries this process holds (running, or about to), by stream message id. */
    private final Map<String, JobQueue.Delivery> held = new ConcurrentHashMap<>();
    /** Jobs held here at most: one running on each thread, and as many again read ahead. */
    private final int maxHeld;
    private final Object room = new Object();
    private final ExecutorService jobs;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("job-timer"));
    private final Thread reader = daemon("job-reader").newThread(this::readLoop);
    private volatile boolean running;
    private volatile long lastReadNanos = System.nanoTime();
    /** What keeps the reader, or the timer's housekeeping, from working; null while they work. */
    private volatile String readProblem;
    private volatile String housekeepingProblem;
    private String reclaimCursor = "0-0";
    private long lastPruneNanos = System.nanoTime();
    /** When the reader last told Redis that this worker takes work (see {@link #heartbeat}). */
    private long lastHeartbeatNanos;

    JobWorker(JobQueue queue, JobHandlers handlers, JobSettings settings, QueueRedis redis, JobMetrics metrics) {
        this.queue = queue;
        this.handlers = handlers;
        this.settings = settings;
        this.redis = redis;
        this.metrics = metrics;
        this.jobs = Executors.newFixedThreadPool(settings.workerThreads(), daemon("job-worker-"));
        this.maxHeld = 2 * settings.workerThreads();
        metrics.bindHeld(held);
    }

    /** Starts reading jobs once the application context is up. */
    @EventListener
    synchronized void start(StartupEvent event) {
        running = true;
        reader.start();
        long renewMillis = Math.max(1, settings.visibilityTimeout().toMillis() / 3);
        timer.scheduleWithFixedDelay(this::renewClaims, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        long housekeepingMillis = settings.pollTimeout().toMillis();
        timer.scheduleWithFixedDelay(this::housekeeping, housekeepingMillis, housekeepingMillis, TimeUnit.MILLISECONDS);
        LOG.info("Job worker {} started {} thread(s) for job types {}", name, settings.workerThreads(), handlers.types());
    }

    /**
     * Stops taking jobs and waits, up to the shutdown timeout, for the jobs it holds (running, and read
     * ahead) to finish; their claims are renewed meanwhile. A job still held after that stays
     * unacknowledged, and another worker takes it over.
     */
    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        reader.interrupt();
        reader.join(settings.pollTimeout().plusSeconds(5).toMillis());
        jobs.shutdown();
        if (!jobs.awaitTermination(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} job(s) did not finish within {}; another worker will take them over",
                    held.size(), settings.shutdownTimeout());
        }
        timer.shutdownNow();
        try {
            queue.forgetWorker(name);
        } catch (RuntimeException e) {
            // Redis away: the heartbeat ages out of the count within a minute anyway.
        }
        LOG.info("Job worker {} stopped", name);
    }

    /** Null while the worker works; otherwise what keeps it from working. */
    String problem() {
        if (running && !reader.isAlive()) {
            return "the job reader thread has stopped";
        }
        if (readProblem != null) {
            return readProblem;
        }
        if (housekeepingProblem != null) {
            return housekeepingProblem;
        }
        long quiet = System.nanoTime() - lastReadNanos;
        if (running && quiet > settings.pollTimeout().plusSeconds(30).toNanos()) {
            return "the job reader has not read for " + Duration.ofNanos(quiet).toSeconds() + " s";
        }
        return null;
    }

    // --- reading jobs ------------------------------------------------------------------------------

    private void readLoop() {
        QueueRedis.BlockingConnection connection = null;
        while (running) {
            try {
                int free = awaitRoom();
                // A worker whose every slot is taken is consuming too: it beats while full.
                heartbeat();
                if (free == 0) {
                    continue;
                }
                if (connection == null) {
                    connection = redis.connectForBlockingReads();
                    queue.createConsumerGroup();
                }
                for (JobQueue.Delivery delivery : queue.read(connection.commands(), name, free)) {
                    dispatch(delivery);
                }
                lastReadNanos = System.nanoTime();
                readProblem = worksAgain(readProblem, "Reading the job queue");
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                recreateLostGroup(e);
                readProblem = failing(readProblem, "reading the job queue failed: " + e.getMessage(), e);
                sleep(settings.pollTimeout());
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    /**
     * At most every few seconds, tells Redis that this worker is taking work, for the queue-wide count
     * of active workers ({@code jobs.workers}). From the reader, so that a worker whose reader stopped
     * stops being counted. A failure is the read's to report.
     */
    private void heartbeat() {
        long now = System.nanoTime();
        if (lastHeartbeatNanos != 0 && now - lastHeartbeatNanos < HEARTBEAT_INTERVAL.toNanos()) {
            return;
        }
        queue.heartbeat(name);
        lastHeartbeatNanos = now;
    }

    /**
     * Waits until there is room for a thread's worth of jobs (so that reads come in batches, not one
     * per finished job), or the poll timeout has passed; returns how many more jobs may be held.
     */
    private int awaitRoom() {
        synchronized (room) {
            long deadline = System.nanoTime() + settings.pollTimeout().toNanos();
            while (running && maxHeld - held.size() < settings.workerThreads()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    room.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            lastReadNanos = System.nanoTime(); // busy is not stuck: every thread has jobs to run
            return Math.max(0, maxHeld - held.size());
        }
    }

    private void dispatch(JobQueue.Delivery delivery) {
        held.put(delivery.messageId(), delivery);
        jobs.execute(() -> {
            try {
                run(delivery);
            } finally {
                held.remove(delivery.messageId());
                synchronized (room) {
                    room.notifyAll();
                }
            }
        });
    }

    // --- running one job ---------------------------------------------------------------------------

    private void run(JobQueue.Delivery delivery) {
        JobQueue.Start start;
        try {
            start = queue.start(delivery, name);
        } catch (RuntimeException e) {
            LOG.warn("Could not start job {} ({}); it stays queued and runs after the visibility timeout",
                    delivery.jobId(), e.getMessage());
            return;
        }
        if (start instanceof JobQueue.Start.Started started) {
            metrics.started(started.type());
            execute(delivery, started);
        } else if (start instanceof JobQueue.Start.Gone) {
            LOG.warn("Job {} has no record any more (deleted, or evicted by Redis); dropping it", delivery.jobId());
            record(delivery, () -> queue.discard(delivery, name));
        } else {
            LOG.warn("Job {} was taken over by another worker before it started here; leaving it to that worker",
                    delivery.jobId());
        }
    }

    private void execute(JobQueue.Delivery delivery, JobQueue.Start.Started job) {
        Map<String, Object> result;
        long startNanos = System.nanoTime();
        try {
            JobHandler handler = handlers.find(job.type()).orElseThrow(() ->
                    new PermanentJobFailure("no handler for job type '" + job.type() + "' in this worker"));
            result = handler.handle(payload(job));
            if (result == null) {
                result = Map.of();
            }
        } catch (Exception | LinkageError | StackOverflowError failure) {
            metrics.ran(job.type(), "failed", Duration.ofNanos(System.nanoTime() - startNanos));
            fail(delivery, job, failure);
            return;
        }
        metrics.ran(job.type(), "done", Duration.ofNanos(System.nanoTime() - startNanos));
        Map<String, Object> done = result;
        if (record(delivery, () -> queue.complete(delivery, name, done))) {
            metrics.done(job.type());
            // DEBUG: at thousands of jobs a second, a line each would cost more than the jobs.
            LOG.debug("Job {} ({}) done on attempt {}", delivery.jobId(), job.type(), job.attempt());
        }
    }

    private Map<String, Object> payload(JobQueue.Start.Started job) {
        try {
            return queue.parsePayload(job.payload());
        } catch (IOException | RuntimeException e) {
            throw new PermanentJobFailure("its payload is not a JSON object");
        }
    }

    private void fail(JobQueue.Delivery delivery, JobQueue.Start.Started job, Throwable failure) {
        String error = describe(failure);
        boolean permanent = failure instanceof PermanentJobFailure;
        // The stack trace once per job, with its first failure; a permanent failure's message says it all.
        Throwable trace = job.attempt() == 1 && !permanent ? failure : null;
        if (permanent || job.attempt() >= settings.maxAttempts()) {
            if (record(delivery, () -> queue.deadLetter(delivery, name, error))) {
                metrics.failed(job.type());
                metrics.deadLettered(job.type());
                LOG.error("Job {} ({}) failed on attempt {} of {}{}, moved to the dead-letter stream: {}",
                        delivery.jobId(), job.type(), job.attempt(), settings.maxAttempts(),
                        permanent ? " for good" : "", error, trace);
            }
        } else {
            Duration delay = settings.backoffAfter(job.attempt());
            if (record(delivery, () -> queue.retryLater(delivery, name, error, delay))) {
                metrics.failed(job.type());
                metrics.retried(job.type());
                LOG.warn("Job {} ({}) failed on attempt {} of {}, retrying in {}: {}",
                        delivery.jobId(), job.type(), job.attempt(), settings.maxAttempts(), delay, error, trace);
            }
        }
    }

    /** The error stored with the job: the exception's kind and message, bounded. */
    static String describe(Throwable failure) {
        String error = failure instanceof PermanentJobFailure
                ? failure.getMessage()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH - 1) + "…";
    }

    /** What ending a run returns: false when this worker no longer held the job. */
    private interface Outcome {
        boolean record();
    }

    /**
     * Records how a run ended. If Redis cannot be reached, the job stays unacknowledged and runs again
     * after the visibility timeout; if another worker took the job over meanwhile, this run's outcome
     * is dropped, since the job is that worker's now.
     */
    private boolean record(JobQueue.Delivery delivery, Outcome outcome) {
        try {
            if (outcome.record()) {
                return true;
            }
            LOG.warn("Job {} was taken over by another worker while it ran here; this run's outcome is dropped",
                    delivery.jobId());
        } catch (RuntimeException e) {
            LOG.warn("Could not record the outcome of job {} ({}); it runs again after the visibility timeout",
                    delivery.jobId(), e.getMessage());
        }
        return false;
    }

    // --- the timer ---------------------------------------------------------------------------------

    /** Renews the claims on every job held here, so that no other worker takes them over. */
    private void renewClaims() {
        List<JobQueue.Delivery> running = List.copyOf(held.values());
        if (running.isEmpty()) {
            return;
        }
        try {
            for (String lost : queue.renew(running, name)) {
                LOG.warn("Lost the claim on stream entry {}: another worker took its job over", lost);
            }
        } catch (RuntimeException e) {
            LOG.warn("Renewing the claims on {} job(s) failed ({}); they may be taken over", running.size(), e.getMessage());
        }
    }

    /** Due retries back to the stream, abandoned jobs taken over, stopped workers' consumers removed. */
    private void housekeeping() {
        if (!running) {
            return;
        }
        try {
            queue.promoteDueRetries();
            int free = maxHeld - held.size();
            if (free > 0) {
                JobQueue.Reclaimed reclaimed = queue.reclaim(name, free, reclaimCursor);
                reclaimCursor = reclaimed.nextCursor();
                for (JobQueue.Delivery delivery : reclaimed.deliveries()) {
                    // One of our own, renewed late (a long pause): claiming it again only renewed it.
                    if (!held.containsKey(delivery.messageId())) {
                        LOG.info("Taking over job {}: its worker stopped renewing its claim", delivery.jobId());
                        dispatch(delivery);
                    }
                }
            }
            if (System.nanoTime() - lastPruneNanos > settings.visibilityTimeout().toNanos()) {
                lastPruneNanos = System.nanoTime();
                long removed = queue.pruneIdleConsumers(name, settings.visibilityTimeout().multipliedBy(2));
                if (removed > 0) {
                    LOG.info("Removed {} consumer(s) of stopped workers from the consumer group", removed);
                }
            }
            housekeepingProblem = worksAgain(housekeepingProblem, "Queue housekeeping");
        } catch (RuntimeException e) {
            recreateLostGroup(e);
            housekeepingProblem = failing(housekeepingProblem, "queue housekeeping failed: " + e.getMessage(), e);
        }
    }

    // --- health ------------------------------------------------------------------------------------

    /** NOGROUP: the stream is new, was deleted, or Redis lost its data; make the group again. */
    private void recreateLostGroup(RuntimeException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("NOGROUP")) {
            try {
                queue.createConsumerGroup();
            } catch (RuntimeException stillFailing) {
                // The next round tries again.
            }
        }
    }

    /** Records a problem; logs it once per outage, with a stack trace only if it is not Redis's. */
    private String failing(String previous, String problem, RuntimeException cause) {
        if (previous == null) {
            if (cause instanceof RedisException) {
                LOG.warn("{}; the worker retries every {}", problem, settings.pollTimeout());
            } else {
                LOG.error("{}; the worker retries every {}", problem, settings.pollTimeout(), cause);
            }
        }
        return problem;
    }

    private static String worksAgain(String previous, String what) {
        if (previous != null) {
            LOG.info("{} works again", what);
        }
        return null;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            String threadName = name.endsWith("-") ? name + count.incrementAndGet() : name;
            Thread thread = new Thread(runnable, threadName);
            // A daemon thread never holds the JVM open: a job cut off at exit stays unacknowledged,
            // and another worker takes it over.
            thread.setDaemon(true);
            return thread;
        };
    }
}
