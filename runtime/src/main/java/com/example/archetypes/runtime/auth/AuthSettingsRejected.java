package com.example.archetypes.runtime.auth;

import io.micronaut.context.exceptions.ConfigurationException;

/**
 * The authentication settings are missing or wrong: the service must not start. Its message is one
 * line naming the variables and the rule, which ServiceApplication logs in place of a stack trace.
 */
final class AuthSettingsRejected extends ConfigurationException {

    AuthSettingsRejected(String message) {
        super(message);
    }
}
