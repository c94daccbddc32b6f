package com.example.archetypes.runtime.jobs;

import java.time.Duration;

/**
 * Work done on a schedule, in the worker role: every bean implementing this runs once per
 * {@link #interval()} across all workers, however many there are (see {@link PeriodicTasks}).
 * A run that throws is logged; the next interval runs again.
 */
public interface PeriodicTask {

    /** A name unique among the service's periodic tasks; it names the task's Redis key. */
    String name();

    /** How often the task runs. */
    Duration interval();

    void run() throws Exception;
}
