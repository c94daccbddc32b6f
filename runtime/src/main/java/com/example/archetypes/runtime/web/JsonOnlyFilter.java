package com.example.archetypes.runtime.web;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.exceptions.HttpStatusException;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every request body this service reads is JSON: a POST, PUT or PATCH must say so exactly
 * ({@code Content-Type: application/json}, with an optional charset), or it gets 415. Micronaut alone
 * would also take a missing Content-Type, {@code *}{@code /*} or a malformed one as JSON.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
class JsonOnlyFilter {

    private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);
    private static final Pattern JSON = Pattern.compile("(?i)application/json\\s*(;\\s*charset=\"?utf-8\"?\\s*)?");

    @RequestFilter
    void requireJson(HttpRequest<?> request) {
        if (!WITH_BODY.contains(request.getMethod())) {
            return;
        }
        String contentType = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !JSON.matcher(contentType.strip()).matches()) {
            throw new HttpStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as JSON, with Content-Type: application/json");
        }
    }
}
