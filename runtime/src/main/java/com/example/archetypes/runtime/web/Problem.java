package com.example.archetypes.runtime.web;

import io.micronaut.serde.annotation.Serdeable;

/**
 * An error body in the RFC 9457 "problem details" format (application/problem+json).
 *
 * @param type     a URI that identifies the kind of problem; about:blank means "see status"
 * @param title    the HTTP reason phrase
 * @param status   the HTTP status code
 * @param detail   what was wrong with this request, for the person who sent it
 * @param instance the path of the request
 *
 * Public because it is part of the API's contract: the OpenAPI document names it for every error
 * answer, and a service's own controllers may answer it too.
 */
@Serdeable
public record Problem(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
