package com.example.templateservice.infra;

import java.util.List;

/**
 * One environment the service runs in, with its sizes. Every size of every environment is here, in
 * one place: staging is the smallest that still runs web and worker as production does, behind the
 * same kind of load balancer, so that what passes there says something about production.
 *
 * @param name             staging or production; the stack, the Elastic Beanstalk environment and the
 *                         database take it after the service's name
 * @param instanceType     the instances that run web and worker (both roles on each, from one image)
 * @param minInstances     how many instances at least
 * @param maxInstances     how many at most (the environment adds one under load)
 * @param databaseClass    the RDS instance class
 * @param databaseStorageGb the database's storage
 * @param cacheNodeType    the ElastiCache node type
 */
public record Stage(String name, String instanceType, int minInstances, int maxInstances,
                    String databaseClass, int databaseStorageGb, String cacheNodeType) {

    /** Deployed first by every pipeline run, smoke-tested, then waits for a person's approval. */
    public static final Stage STAGING = new Stage("staging", "t3.small", 1, 1, "t4g.micro", 20, "cache.t4g.micro");
    /** Gets the very bundle staging ran, once a person approved it. */
    public static final Stage PRODUCTION = new Stage("production", "t3.small", 1, 2, "t4g.micro", 20, "cache.t4g.micro");

    /**
     * The environments of the setting ENVIRONMENTS: "staging,production" (the default), or
     * "production" for a team that wants one environment only (the pipeline then smoke-tests
     * production right after deploying it, and nobody approves anything).
     */
    public static List<Stage> fromSetting(String setting) {
        String value = setting == null || setting.isBlank() ? "staging,production" : setting.replace(" ", "");
        return switch (value) {
            case "staging,production" -> List.of(STAGING, PRODUCTION);
            case "production" -> List.of(PRODUCTION);
            default -> throw new IllegalArgumentException("ENVIRONMENTS is '" + setting + "': set it to"
                    + " staging,production (the default) or production (one environment only).");
        };
    }
}
