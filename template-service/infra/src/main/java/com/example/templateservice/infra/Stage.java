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
 * @param multiAzDatabase  whether the database keeps a standby in a second availability zone, which
 *                         takes over within a minute or two when the first one fails, with every
 *                         committed row (synchronous replication)
 * @param queueStore       where the job queue lives (see {@link QueueStore})
 * @param queueNodeType    the node type of that store (cache.* for ElastiCache, db.* for MemoryDB)
 * @param jobWaitAlarmMinutes how long the oldest waiting job may wait before the alarm goes off: the
 *                         longest delay the service's callers accept for a job they queued
 */
public record Stage(String name, String instanceType, int minInstances, int maxInstances,
                    String databaseClass, int databaseStorageGb, boolean multiAzDatabase,
                    QueueStore queueStore, String queueNodeType, int jobWaitAlarmMinutes) {

    /**
     * Deployed first by every pipeline run, smoke-tested, then waits for a person's approval. Small and
     * cheap: one database instance, one cache node that keeps nothing when it is replaced (staging's jobs
     * are test traffic).
     */
    public static final Stage STAGING = new Stage("staging", "t3.small", 1, 1, "t4g.micro", 20, false,
            QueueStore.SINGLE_CACHE_NODE, "cache.t4g.micro", 30);
    /**
     * Gets the very bundle staging ran, once a person approved it. Keeps what it accepted: a Multi-AZ
     * database and a MemoryDB queue store, so that no node's loss loses a job answered with 202.
     */
    public static final Stage PRODUCTION = new Stage("production", "t3.small", 1, 2, "t4g.micro", 20, true,
            QueueStore.MEMORYDB, "db.t4g.small", 10);

    /**
     * Where the job queue lives. The service treats both alike (the keys of one service share a hash
     * slot, so its scripts run on a cluster too); they differ in what survives a node's loss.
     */
    public enum QueueStore {
        /**
         * One ElastiCache (Valkey) node, no replica, no persistence: cheapest (cache.t4g.micro about $12
         * a month), and when the node is replaced every waiting job and job record is gone. For staging.
         */
        SINGLE_CACHE_NODE,
        /**
         * Amazon MemoryDB (Valkey), one shard with a replica in another availability zone, and a
         * Multi-AZ transaction log: a write is acknowledged only once the log holds it, so a job
         * answered with 202 survives the loss of any node or a whole zone. About $45 a month for two
         * db.t4g.small nodes (Valkey prices). The other durable choice, ElastiCache with a replica and
         * automatic failover (about $24 a month for two cache.t4g.micro nodes), replicates
         * asynchronously: the last writes before a failover, jobs already answered 202 among them, can
         * be lost. That is why production takes MemoryDB.
         */
        MEMORYDB
    }

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
