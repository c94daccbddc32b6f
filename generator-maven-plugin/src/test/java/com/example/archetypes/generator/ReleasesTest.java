package com.example.archetypes.generator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The changelog entries check prints: those after the service's release, up to the newest. */
class ReleasesTest {

    static final String CHANGELOG = """
            # Changelog

            ## Unreleased

            - not released yet

            ## 0.3.0 (2027-02-01)

            - three

            ## 0.2.0 (2027-01-01)

            - two

            ## 0.1.0 (2026-12-02)

            - one
            """;

    @Test
    void theEntriesBetweenTheServicesReleaseAndTheNewest() {
        assertEquals("## 0.3.0 (2027-02-01)\n\n- three\n\n## 0.2.0 (2027-01-01)\n\n- two", Releases.between(CHANGELOG, "0.1.0", "0.3.0"));
        assertEquals("## 0.2.0 (2027-01-01)\n\n- two", Releases.between(CHANGELOG, "0.1.0", "0.2.0"));
        assertEquals("", Releases.between(CHANGELOG, "0.3.0", "0.3.0"));
    }
}
