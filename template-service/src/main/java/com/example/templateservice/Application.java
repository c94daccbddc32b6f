package com.example.templateservice;

import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Starts the service. What it does depends on its role ({@code APP_ROLE}: web, worker or all);
 * see {@link Role}.
 */
public class Application extends Micronaut {

    public static void main(String[] args) {
        // No banner: with LOG_FORMAT=json every line on stdout must be a JSON object.
        new Application().args(args).mainClass(Application.class).banner(false).start();
    }

    /**
     * A start-up failure that the environment caused (the database cannot be reached, say) is not a
     * bug: it gets one line saying what to fix, and exit code 1, instead of a stack trace.
     */
    @Override
    protected void handleStartupException(Environment environment, Throwable exception) {
        Optional<String> explained = StartupFailure.explain(environment, exception);
        if (explained.isPresent() && !environment.getActiveNames().contains(Environment.TEST)) {
            LoggerFactory.getLogger(Application.class).error(explained.get());
            System.exit(1);
        }
        super.handleStartupException(environment, exception);
    }
}
