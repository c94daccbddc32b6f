package com.example.templateservice.infra;

/** Why infra/deploy stopped, in a sentence that says what to do next. */
final class DeployFailure extends RuntimeException {

    DeployFailure(String message) {
        super(message);
    }
}
