package com.example.templateservice.visits;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;

@JdbcRepository(dialect = Dialect.MYSQL)
interface PageVisitsRepository extends GenericRepository<PageVisits, String> {

    /**
     * Adds one visit in a single statement, creating the row on a page's first visit. The row
     * stays locked until the surrounding transaction commits, so concurrent visits queue up on it.
     */
    @Query("""
            INSERT INTO page_visits (page, visit_count) VALUES (:page, 1)
            ON DUPLICATE KEY UPDATE visit_count = visit_count + 1""")
    void increment(String page);

    long findVisitCountByPage(String page);
}
