package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WebRole;
import com.example.archetypes.runtime.auth.AuthSettings;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.http.uri.UriBuilder;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import jakarta.validation.Valid;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code POST /jobs} queues a job and answers 202 with where to follow it; {@code GET /jobs/{id}}
 * shows it. Both wait on Redis without holding a thread. Errors answer application/problem+json (see
 * web.ProblemErrorResponseProcessor); while Redis is unreachable, 503 (see QueueUnavailableHandler).
 * Callers send a bearer token (see the auth package): queueing needs the scope {@code jobs:write},
 * reading {@code jobs:read}; a job records who queued it, and a caller reads only its own jobs unless
 * its token grants {@code jobs:read-all}. Another caller's job answers 404, as a job that does not
 * exist, so that ids cannot be probed.
 */
@WebRole
@Controller("/jobs")
class JobController {

    /** Printable ASCII, as the Idempotency-Key draft (IETF httpapi) suggests, of a bounded length. */
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private final JobQueue queue;
    private final JobHandlers handlers;
    private final JobLimits limits;

    JobController(JobQueue queue, JobHandlers handlers, JobLimits limits) {
        this.queue = queue;
        this.handlers = handlers;
        this.limits = limits;
    }

    /**
     * Queues a job. A client that may retry (after a timeout, say) sends an {@code Idempotency-Key}
     * header: a retry with the same key queues nothing new and answers the job queued first. A caller
     * over its rate gets 429, and a full queue 503, both with Retry-After (see JobLimits).
     */
    @Post
    @Consumes(MediaType.APPLICATION_JSON)
    @Secured(AuthSettings.WRITE_SCOPE)
    CompletableFuture<HttpResponse<Job>> submit(@Body @Valid JobRequest request,
                                               @Header("Idempotency-Key") @Nullable String idempotencyKey,
                                               Authentication caller) {
        if (handlers.find(request.type()).isEmpty()) {
            throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY,
                    "Unknown job type '" + request.type() + "'; known types: " + String.join(", ", handlers.types()));
        }
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw new HttpStatusException(HttpStatus.BAD_REQUEST,
                    "Idempotency-Key must be 1 to 200 printable ASCII characters without spaces");
        }
        if (!(request.payload() instanceof Map<?, ?>)) {
            throw new HttpStatusException(HttpStatus.BAD_REQUEST, "payload must be a JSON object");
        }
        rejectNonFiniteNumbers("payload", request.payload());
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) request.payload();
        return limits.admit(caller.getName())
                .thenCompose(admitted -> queue.enqueue(request.type(), payload, idempotencyKey, caller.getName()))
                .thenApply(job -> HttpResponse.accepted(UriBuilder.of("/jobs").path(job.id()).build()).body(job));
    }

    @Get("/{id}")
    @Secured({AuthSettings.READ_SCOPE, AuthSettings.READ_ALL_SCOPE})
    CompletableFuture<Job> status(String id, Authentication caller) {
        boolean readsAll = caller.getRoles().contains(AuthSettings.READ_ALL_SCOPE);
        return queue.find(id, readsAll ? null : caller.getName()).thenApply(job -> job.orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND,
                "No job with id '" + id + "'; job records are kept for a limited time after they end")));
    }

    /** JSON numbers too large for a double (1e400) would be stored as "Infinity": refuse them. */
    private static void rejectNonFiniteNumbers(String path, Object value) {
        if (value instanceof Double number && !Double.isFinite(number)
                || value instanceof Float number32 && !Float.isFinite(number32)) {
            throw new HttpStatusException(HttpStatus.BAD_REQUEST, path + " is a number too large to represent");
        }
        if (value instanceof Map<?, ?> object) {
            object.forEach((key, nested) -> rejectNonFiniteNumbers(path + "." + key, nested));
        } else if (value instanceof List<?> array) {
            for (int i = 0; i < array.size(); i++) {
                rejectNonFiniteNumbers(path + "[" + i + "]", array.get(i));
            }
        }
    }
}
