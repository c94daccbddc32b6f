package com.example.templateservice;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the service. What it does depends on its role ({@code APP_ROLE}: web, worker or all);
 * see {@link Role}.
 */
public class Application {

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
