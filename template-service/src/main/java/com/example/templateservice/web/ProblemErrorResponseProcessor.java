package com.example.templateservice.web;

import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns every error the server answers (bad JSON, failed validation, unknown routes, a body too
 * large, exceptions raised as {@link io.micronaut.http.exceptions.HttpStatusException}) into an
 * application/problem+json body. It replaces Micronaut's default JSON error format.
 */
@Singleton
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    private static final Pattern DECODING_PROPERTY = Pattern.compile("Error decoding property \\[.*? (\\w+)] of type \\[[^]]*]: ");
    private static final Pattern POSITION = Pattern.compile("line: (\\d+), column: (\\d+)");

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.status();
        String detail = context.getRootCause()
                .filter(ConversionErrorException.class::isInstance)
                .map(cause -> unreadableBody((ConversionErrorException) cause))
                .orElseGet(() -> context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; ")));
        Problem problem = new Problem(
                "about:blank",
                status.getReason(),
                status.getCode(),
                detail.isEmpty() ? status.getReason() : detail,
                context.getRequest().getPath());
        return response.body(problem).contentType(Problem.MEDIA_TYPE);
    }

    /**
     * The JSON parser's message says what was wrong and where, wrapped in class names and parser
     * internals; keep the first two, e.g. "payload: Unexpected end-of-input (line 1, column 31)".
     */
    private static String unreadableBody(ConversionErrorException e) {
        String message = String.valueOf(e.getConversionError().getCause().getMessage());
        Matcher position = POSITION.matcher(message);
        String where = position.find() ? " (line " + position.group(1) + ", column " + position.group(2) + ")" : "";
        String what = DECODING_PROPERTY.matcher(message).replaceFirst("$1: ").split("[\\n(]")[0].strip();
        return "Invalid JSON request body: " + what + where;
    }
}
