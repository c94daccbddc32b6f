package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WebRole;
import io.lettuce.core.RedisException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While Redis cannot be reached (or does not answer within {@code redis.timeout}), the job API
 * answers 503 with a problem body and a Retry-After, instead of a 500 that names Lettuce's insides.
 * The job was not queued: a command that could not be sent is never sent later.
 */
@WebRole
@Produces
@Singleton
@Requires(classes = ExceptionHandler.class)
class QueueUnavailableHandler implements ExceptionHandler<RedisException, HttpResponse<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(QueueUnavailableHandler.class);
    private static final String RETRY_AFTER_SECONDS = "5";

    private final ErrorResponseProcessor<?> problems;

    QueueUnavailableHandler(ErrorResponseProcessor<?> problems) {
        this.problems = problems;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, RedisException exception) {
        LOG.warn("{} {}: Redis is unavailable ({})", request.getMethod(), request.getPath(), exception.getMessage());
        return problems.processResponse(ErrorContext.builder(request)
                        .errorMessage("The job queue is unavailable right now; try again in " + RETRY_AFTER_SECONDS + " seconds")
                        .build(),
                HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS));
    }
}
