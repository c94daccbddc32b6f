package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WorkerRole;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs every {@link PeriodicTask} once per interval across all workers. Each worker asks Redis a few
 * times per interval whether the current interval's run is still to be done; the first to ask in an
 * interval runs it (see {@link PeriodicSlots}). So a run is neither doubled, with
 * any number of workers, nor skipped, while at least one worker is up.
 */
@WorkerRole
@Singleton
class PeriodicTasks {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicTasks.class);

    private final List<PeriodicTask> tasks;
    private final PeriodicSlots slots;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "periodic-tasks");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean failing;

    PeriodicTasks(List<PeriodicTask> tasks, PeriodicSlots slots) {
        this.tasks = tasks;
        this.slots = slots;
    }

    @EventListener
    void start(StartupEvent event) {
        for (PeriodicTask task : tasks) {
            long tick = Math.max(50, Math.min(1000, task.interval().toMillis() / 4));
            scheduler.scheduleWithFixedDelay(() -> tick(task), tick, tick, TimeUnit.MILLISECONDS);
        }
        if (!tasks.isEmpty()) {
            LOG.info("Periodic tasks: {}", tasks.stream().map(task -> task.name() + " every " + task.interval()).toList());
        }
    }

    private void tick(PeriodicTask task) {
        try {
            if (slots.claim(task.name(), task.interval()).isEmpty()) {
                return;
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("Cannot reach Redis to schedule periodic tasks ({}); retrying", e.getMessage());
                failing = true;
            }
            return;
        }
        try {
            task.run();
        } catch (Exception e) {
            LOG.error("Periodic task {} failed; it runs again in {}", task.name(), task.interval(), e);
        }
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }
}
