package com.example.archetypes.runtime;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Starts a service: {@code ServiceApplication.run(Application.class, args)} from its main method.
 * What the process does depends on its role ({@code app.role}: web, worker or all); see
 * {@link WebRole} and {@link WorkerRole}.
 */
public final class ServiceApplication extends Micronaut {

    private ServiceApplication() {
    }

    /** Starts the service whose main class is {@code mainClass}, and returns its running context. */
    public static ApplicationContext run(Class<?> mainClass, String... args) {
        // No banner: with LOG_FORMAT=json every line on stdout must be a JSON object.
        return new ServiceApplication().args(args).mainClass(mainClass).banner(false).start();
    }

    /**
     * A start-up failure that the environment caused (the database cannot be reached, say) is not a
     * bug: it gets one line saying what to fix, and exit code 1, instead of a stack trace.
     */
    @Override
    protected void handleStartupException(Environment environment, Throwable exception) {
        Optional<String> explained = StartupFailure.explain(environment, exception);
        if (explained.isPresent() && !environment.getActiveNames().contains(Environment.TEST)) {
            LoggerFactory.getLogger(ServiceApplication.class).error(explained.get());
            System.exit(1);
        }
        super.handleStartupException(environment, exception);
    }
}
