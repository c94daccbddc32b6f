package com.example.templateservice.infra;

/**
 * A domain of the team's own for the service, in a Route 53 hosted zone of the same account
 * (DOMAIN and HOSTED_ZONE_ID). Production answers at the domain itself, staging at staging.DOMAIN.
 * With one, the load balancer serves HTTPS itself with an ACM certificate and CloudFront is not used.
 *
 * @param name         e.g. api.acme.com
 * @param hostedZoneId the hosted zone that holds it, e.g. Z0123456789ABCDEFGHIJ
 */
public record CustomDomain(String name, String hostedZoneId) {

    public CustomDomain {
        if (!name.matches("([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}")) {
            throw new IllegalArgumentException("DOMAIN is '" + name + "': give a domain name such as api.acme.com,"
                    + " in lower case, without https:// or a path.");
        }
        if (!hostedZoneId.matches("Z[A-Z0-9]{1,31}")) {
            throw new IllegalArgumentException("HOSTED_ZONE_ID is '" + hostedZoneId + "': give the id of the Route 53"
                    + " hosted zone that holds " + name + "; `aws route53 list-hosted-zones-by-name --dns-name " + name
                    + "` shows it (Id, after /hostedzone/).");
        }
    }

    /** Where an environment answers: the domain for production, staging.DOMAIN for staging. */
    public String hostFor(Stage stage) {
        return stage.equals(Stage.PRODUCTION) ? name : stage.name() + "." + name;
    }
}
