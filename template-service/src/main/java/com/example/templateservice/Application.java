package com.example.templateservice;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the service. What it does depends on its role ({@code APP_ROLE}: web, worker or all);
 * see {@link Role}.
 */
public class Application {

    public static void main(String[] args) {
        // No banner: with LOG_FORMAT=json every line on stdout must be a JSON object.
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
