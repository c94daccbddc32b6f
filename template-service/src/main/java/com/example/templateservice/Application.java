package com.example.templateservice;

import com.example.archetypes.runtime.ServiceApplication;

/**
 * Starts the service. What it does depends on its role ({@code APP_ROLE}: web, worker or all); the
 * runtime library (micronaut-service-runtime) starts it, and explains in one line a start-up failure
 * that the environment caused, such as a database that cannot be reached.
 */
public class Application {

    public static void main(String[] args) {
        ServiceApplication.run(Application.class, args);
    }
}
