package com.example.archetypes.runtime.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for an asynchronous outcome: polls until it holds or a deadline passes, never a fixed time. */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(50);

    private Await() {
    }

    /** Polls {@code probe} until {@code done} accepts its value, and returns that value. */
    public static <T> T until(String what, Duration within, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + within.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            pause();
        }
        return fail("not within " + within + ": " + what + "; last seen: " + last);
    }

    public static void until(String what, Duration within, BooleanSupplier condition) {
        until(what, within, condition::getAsBoolean, Boolean::booleanValue);
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
