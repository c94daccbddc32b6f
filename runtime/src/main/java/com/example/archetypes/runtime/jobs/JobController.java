package com.example.archetypes.runtime.jobs;

import com.example.archetypes.runtime.WebRole;
import com.example.archetypes.runtime.auth.AuthSettings;
import com.example.archetypes.runtime.web.Problem;
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
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
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
@OpenAPIDefinition(info = @Info(title = "Job API", version = "1",
        description = "Queue a job and follow it. Every answer but 2xx is an RFC 9457 problem (application/problem+json)."))
@SecurityScheme(name = JobController.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "An access token of the environment's issuer (client credentials). Scopes: jobs:write to queue,"
                + " jobs:read to read one's own jobs, jobs:read-all to read any job.")
@ApiResponse(responseCode = "401", description = "No token, or a token that is not valid (WWW-Authenticate says why)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@ApiResponse(responseCode = "403", description = "The token lacks the scope this operation needs", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@ApiResponse(responseCode = "503", description = "The queue or the issuer's keys are unreachable, or the queue is full:"
        + " retry after Retry-After seconds",
        headers = @io.swagger.v3.oas.annotations.headers.Header(name = "Retry-After", description = "Seconds to wait",
                schema = @Schema(implementation = Integer.class, minimum = "1")),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
class JobController {

    /** The security scheme's name in the OpenAPI document. */
    static final String BEARER = "bearer";

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
    @Operation(summary = "Queue a job", security = @SecurityRequirement(name = BEARER, scopes = AuthSettings.WRITE_SCOPE))
    @ApiResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, queued before);"
            + " Location says where to follow it", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Job.class)))
    @ApiResponse(responseCode = "400", description = "A body that is not a job request", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "422", description = "An unknown job type, or a request that breaks a rule", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @ApiResponse(responseCode = "429", description = "The caller queues faster than its rate: retry after Retry-After seconds",
            headers = @io.swagger.v3.oas.annotations.headers.Header(name = "Retry-After", description = "Seconds to wait",
                schema = @Schema(implementation = Integer.class, minimum = "1")),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    CompletableFuture<HttpResponse<Job>> submit(@Body @Valid JobRequest request,
                                               @Parameter(description = "Sent again with a retry, queues nothing new",
                                                       schema = @Schema(implementation = String.class, pattern = "^[\\x21-\\x7E]{1,200}$"))
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
    @Operation(summary = "Show a job", security = {
            @SecurityRequirement(name = BEARER, scopes = AuthSettings.READ_SCOPE),
            @SecurityRequirement(name = BEARER, scopes = AuthSettings.READ_ALL_SCOPE)})
    @ApiResponse(responseCode = "200", description = "The job")
    @ApiResponse(responseCode = "404", description = "No such job, or another caller's (the two look alike)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
