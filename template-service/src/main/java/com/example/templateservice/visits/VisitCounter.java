package com.example.templateservice.visits;

import jakarta.inject.Singleton;
import io.micronaut.transaction.annotation.Transactional;

/** Counts page visits in MySQL. */
@Singleton
public class VisitCounter {

    private final PageVisitsRepository repository;

    VisitCounter(PageVisitsRepository repository) {
        this.repository = repository;
    }

    /**
     * Records one visit and returns the page's new count. The increment and the read share one
     * transaction, and the increment holds the row lock until commit: every caller sees its own
     * number, and no two callers see the same one.
     */
    @Transactional
    public long recordVisit(String page) {
        repository.increment(page);
        return repository.findVisitCountByPage(page);
    }
}
