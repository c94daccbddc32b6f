package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.testing.ServiceTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A periodic task's interval is claimed once, by one worker: four workers asking many times per
 * interval claim every interval exactly once, without a gap.
 */
class PeriodicSlotTest extends ServiceTest {

    @Inject
    PeriodicSlots slots;

    @Override
    protected Map<String, String> properties() {
        return Map.of("app.role", "web");
    }

    @Test
    void manyWorkersClaimEachIntervalExactlyOnceAndSkipNone() throws Exception {
        Duration interval = Duration.ofMillis(200);
        ConcurrentLinkedQueue<Long> claimed = new ConcurrentLinkedQueue<>();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        List<Future<?>> ticking = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ticking.add(workers.submit(() -> {
                while (System.nanoTime() < end) {
                    Optional<Long> slot = slots.claim("test-task", interval);
                    slot.ifPresent(claimed::add);
                    Thread.sleep(interval.toMillis() / 4);
                }
                return null;
            }));
        }
        for (Future<?> worker : ticking) {
            worker.get(10, TimeUnit.SECONDS);
        }
        workers.shutdown();

        List<Long> slots = claimed.stream().sorted().toList();
        assertTrue(slots.size() >= 10, "3 s of 200 ms intervals, only " + slots.size() + " claimed: " + slots);
        assertEquals(slots.size(), slots.stream().distinct().count(), "an interval was claimed twice: " + slots);
        assertEquals(slots.get(slots.size() - 1) - slots.get(0) + 1, slots.size(), "an interval was skipped: " + slots);
    }
}
