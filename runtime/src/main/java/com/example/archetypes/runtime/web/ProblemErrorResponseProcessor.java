package com.example.archetypes.runtime.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.BasicHttpAttributes;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Singleton;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns every error the server answers (bad JSON, failed validation, unknown routes, a body or
 * headers too large, exceptions raised as {@link io.micronaut.http.exceptions.HttpStatusException})
 * into an application/problem+json body, in place of Micronaut's default JSON error format.
 *
 * <p>The detail is written for the client in our words: it says what was wrong with the request and
 * where, never how the server is built (no parser, class or library names), and a server error says
 * only that it was logged.
 *
 * <p>micronaut-problem-json would do part of this, but the registry our build machines reach does
 * not serve the version the Micronaut platform BOM manages (3.9.0), so this class is hand-written.
 */
@Singleton
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    /** How the JSON reader says what it found and what it wanted: "Unexpected token X, expected Y". */
    private static final Pattern WRONG_KIND = Pattern.compile("Unexpected token (\\w+), expected (\\w+)");

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        Optional<HttpStatus> unknownPath = unknownPathValue(context);
        HttpStatus status = tooLongPart(context).or(() -> unknownPath).orElse(response.status());
        Problem problem = new Problem(
                "about:blank",
                status.getReason(),
                status.getCode(),
                unknownPath.isPresent() ? "Nothing is found at " + context.getRequest().getPath() : detail(context, status),
                context.getRequest().getPath());
        if (undecodable(context)) {
            // The server drops a connection whose request it could not read; say so, so that the
            // client does not send its next request down it.
            response.header(HttpHeaders.CONNECTION, "close");
        }
        return response.status(status).body(problem).contentType(Problem.MEDIA_TYPE);
    }

    private static boolean undecodable(ErrorContext context) {
        return context.getRequest() instanceof NettyHttpRequest<?> netty && netty.getNativeRequest().decoderResult().isFailure();
    }

    private static String detail(ErrorContext context, HttpStatus status) {
        if (status.getCode() >= 500 && status != HttpStatus.SERVICE_UNAVAILABLE) {
            return "The server could not handle this request; the error has been logged";
        }
        if (status == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE) {
            return "The request headers are too large";
        }
        if (status == HttpStatus.REQUEST_URI_TOO_LONG) {
            return "The request URI is too long";
        }
        Optional<String> malformed = context.getRootCause().flatMap(ProblemErrorResponseProcessor::malformedJson);
        if (malformed.isPresent()) {
            return malformed.get();
        }
        Optional<ConversionErrorException> unreadable = context.getRootCause()
                .filter(ConversionErrorException.class::isInstance)
                .map(ConversionErrorException.class::cast);
        if (unreadable.isPresent()) {
            return unreadableValue(unreadable.get());
        }
        String messages = context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
        return messages.isBlank() ? status.getReason() : messages;
    }

    /**
     * A path whose variable part has no meaning for its route (/health/nonsense, say) names nothing
     * that exists: 404, where Micronaut says 400 because it could not convert the value.
     */
    private static Optional<HttpStatus> unknownPathValue(ErrorContext context) {
        return context.getRootCause()
                .filter(ConversionErrorException.class::isInstance)
                .map(cause -> ((ConversionErrorException) cause).getArgument().getName())
                .filter(name -> BasicHttpAttributes.getRouteMatchInfo(context.getRequest())
                        .map(route -> route.getVariableValues().containsKey(name)).orElse(false))
                .map(name -> HttpStatus.NOT_FOUND);
    }

    /** A request part the server refused to read because it was too long: 431 or 414, where Micronaut says 413. */
    private static Optional<HttpStatus> tooLongPart(ErrorContext context) {
        if (undecodable(context)) {
            Throwable cause = ((NettyHttpRequest<?>) context.getRequest()).getNativeRequest().decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                return Optional.of(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
            }
            if (cause instanceof TooLongHttpLineException) {
                return Optional.of(HttpStatus.REQUEST_URI_TOO_LONG);
            }
        }
        return Optional.empty();
    }

    /** Where a body that is not JSON at all went wrong, if that is what the failure is. */
    private static Optional<String> malformedJson(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json && json.getLocation() != null
                    && json.getLocation() != JsonLocation.NA && json.getLocation().getLineNr() > 0) {
                return Optional.of("Invalid JSON request body: malformed JSON at line " + json.getLocation().getLineNr()
                        + ", column " + json.getLocation().getColumnNr());
            }
            if (cause instanceof JsonProcessingException) {
                return Optional.of("Invalid JSON request body");
            }
        }
        return Optional.empty();
    }

    /** A JSON token kind in words: START_OBJECT is "an object". */
    private static String kind(String token) {
        return switch (token) {
            case "START_OBJECT", "END_OBJECT" -> "an object";
            case "START_ARRAY", "END_ARRAY" -> "an array";
            case "VALUE_STRING" -> "a string";
            case "VALUE_NUMBER_INT", "VALUE_NUMBER_FLOAT" -> "a number";
            case "VALUE_TRUE", "VALUE_FALSE" -> "true or false";
            case "VALUE_NULL" -> "null";
            default -> "another value";
        };
    }

    /**
     * What was wrong with a value the server could not read: where the JSON is malformed, or which
     * property has the wrong type.
     */
    private static String unreadableValue(ConversionErrorException e) {
        Throwable cause = e.getConversionError().getCause();
        Optional<String> malformed = malformedJson(cause);
        if (malformed.isPresent()) {
            return malformed.get();
        }
        Matcher kinds = WRONG_KIND.matcher(String.valueOf(cause == null ? e.getMessage() : cause.getMessage()));
        if (kinds.find()) {
            return "Invalid JSON request body: " + kind(kinds.group(2)) + " was expected where " + kind(kinds.group(1))
                    + " was found";
        }
        if (e.getArgument() != null && !e.getArgument().getName().isBlank()) {
            return "Invalid value for '" + e.getArgument().getName() + "'";
        }
        return "Invalid request";
    }
}
