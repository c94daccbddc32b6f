package com.example.templateservice.infra;

/**
 * Why infra/deploy stopped, in a sentence that says what to do next. The details (what the AWS SDK
 * said, word for word) are for --verbose only: they help whoever debugs, not whoever just forgot to
 * log in.
 */
final class DeployFailure extends RuntimeException {

    private final String details;

    DeployFailure(String message) {
        this(message, null);
    }

    DeployFailure(String message, String details) {
        super(message);
        this.details = details;
    }

    /** What --verbose adds, or null. */
    String details() {
        return details;
    }
}
