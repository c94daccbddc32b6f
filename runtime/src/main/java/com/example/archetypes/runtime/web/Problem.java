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
 */
@Serdeable
record Problem(String type, String title, int status, String detail, String instance) {

    static final String MEDIA_TYPE = "application/problem+json";
}
