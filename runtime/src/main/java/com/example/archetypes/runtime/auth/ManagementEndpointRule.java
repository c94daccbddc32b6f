package com.example.archetypes.runtime.auth;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.inject.ExecutableMethod;
import io.micronaut.management.endpoint.EndpointSensitivityProcessor;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRuleResult;
import io.micronaut.security.rules.SensitiveEndpointRule;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Of Micronaut's management endpoints, the service's port answers {@code /health} (and its
 * liveness and readiness) only; every other one is refused, to anonymous callers (401) and to
 * callers with a token alike (403). Micronaut's own rule lets anyone read an endpoint that is not
 * marked sensitive, as micronaut-micrometer's {@code /metrics} is not; the metrics are served on a
 * loopback port instead (metrics.PrometheusPort).
 */
@Singleton
@Replaces(SensitiveEndpointRule.class)
final class ManagementEndpointRule extends SensitiveEndpointRule {

    ManagementEndpointRule(EndpointSensitivityProcessor endpointSensitivityProcessor) {
        super(endpointSensitivityProcessor);
    }

    @Override
    @NonNull
    protected Publisher<SecurityRuleResult> check(@NonNull HttpRequest<?> request, @Nullable Authentication authentication,
                                                  @NonNull ExecutableMethod<?, ?> method) {
        if (HealthEndpoint.class.isAssignableFrom(method.getDeclaringType())) {
            return super.check(request, authentication, method);
        }
        return Mono.just(SecurityRuleResult.REJECTED);
    }
}
