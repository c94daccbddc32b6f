package com.example.templateservice.visits;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** Counts page visits in MySQL (table page_visits, see the V1 migration). */
@Singleton
public class VisitCounter {

    /**
     * Adds one visit, creating the row on a page's first visit, and hands the new count back as
     * LAST_INSERT_ID, which the server returns with the statement's own result.
     */
    private static final String COUNT_VISIT = """
            INSERT INTO page_visits (page, visit_count) VALUES (?, 1)
            ON DUPLICATE KEY UPDATE visit_count = LAST_INSERT_ID(visit_count + 1)""";

    private final JdbcOperations jdbc;

    VisitCounter(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** The visits counted for {@code page} so far. */
    public long visits(String page) {
        return jdbc.execute(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT visit_count FROM page_visits WHERE page = ?")) {
                select.setString(1, page);
                try (ResultSet count = select.executeQuery()) {
                    return count.next() ? count.getLong(1) : 0L;
                }
            }
        });
    }

    /**
     * Records one visit and returns the page's new count: one statement, one round trip, no
     * transaction. The statement is atomic, and the row lock it takes lines concurrent visits up, so
     * every caller gets its own number and no two get the same one.
     */
    public long recordVisit(String page) {
        return jdbc.execute(connection -> {
            try (PreparedStatement countVisit = connection.prepareStatement(COUNT_VISIT, Statement.RETURN_GENERATED_KEYS)) {
                countVisit.setString(1, page);
                // 1 row: the page's first visit inserted it; 2: an existing row was counted up.
                if (countVisit.executeUpdate() == 1) {
                    return 1L;
                }
                try (ResultSet count = countVisit.getGeneratedKeys()) {
                    if (!count.next()) {
                        throw new IllegalStateException("MySQL returned no count for page " + page);
                    }
                    return count.getLong(1);
                }
            }
        });
    }
}
