package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WebRole;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/** A job {@link JobLimits} did not admit: 429 or 503 with Retry-After and a problem body. */
@WebRole
@Produces
@Singleton
class LimitReachedHandler implements ExceptionHandler<JobLimits.LimitReached, HttpResponse<?>> {

    private final ErrorResponseProcessor<?> problems;

    LimitReachedHandler(ErrorResponseProcessor<?> problems) {
        this.problems = problems;
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, JobLimits.LimitReached limit) {
        HttpStatus status = limit.callerRate ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.SERVICE_UNAVAILABLE;
        return problems.processResponse(ErrorContext.builder(request).errorMessage(limit.getMessage()).build(),
                HttpResponse.status(status).header(HttpHeaders.RETRY_AFTER, String.valueOf(limit.retryAfterSeconds)));
    }
}
