package com.example.archetypes.runtime.faults;

import com.example.archetypes.runtime.ServiceApplication;

/**
 * A service made of this library alone, with the test job handlers (greet among them): what the fault
 * tests run as real processes, configured by the same environment variables a generated service
 * reads (src/test/resources/application.yml maps them).
 */
public final class TestService {

    private TestService() {
    }

    public static void main(String[] args) {
        ServiceApplication.run(TestService.class, args);
    }
}
