package com.example.templateservice.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.HttpCodeElb;
import software.amazon.awscdk.services.elasticloadbalancingv2.HttpCodeTarget;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.rds.DatabaseInstance;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What tells the on-call engineer that an environment is in trouble: alarms on the load balancer, the
 * environment's health, the database and the queue store, each with the reason for its threshold
 * beside it; one SNS topic that every alarm, and every recovery, notifies (mailed to ALARM_EMAIL when
 * set); and one dashboard with the same figures, the service's own job figures among them
 * ({@link ServiceMetrics}).
 */
final class Alarms extends Construct {

    private final Topic topic;
    private final Dashboard dashboard;
    private final List<Alarm> alarms = new ArrayList<>();
    private final String prefix;

    /**
     * @param queueStore the queue store's metrics: its namespace and dimensions (ElastiCache's node, or
     *                   MemoryDB's cluster)
     */
    Alarms(Construct scope, String id, DeliverySettings settings, Stage stage, ApplicationLoadBalancer balancer,
           DatabaseInstance database, QueueStoreMetrics queueStore, ServiceMetrics jobs, String environmentName) {
        super(scope, id);
        prefix = settings.resourceName(stage) + " ";
        // CloudWatch publishes to an encrypted topic only with a key of the account's own that lets it
        // (the AWS-managed SNS key does not): about $1 a month.
        Key key = Key.Builder.create(this, "TopicKey")
                .description("Encrypts " + settings.resourceName(stage) + "'s alarm topic")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
        topic = Topic.Builder.create(this, "Topic")
                .topicName(settings.resourceName(stage) + "-alarms")
                .displayName(settings.resourceName(stage) + " alarms")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        if (settings.alarmEmail() != null) {
            // AWS mails a confirmation first: nothing arrives until its link is followed.
            topic.addSubscription(EmailSubscription.Builder.create(settings.alarmEmail()).build());
        }

        Metric requests = balancer.getMetrics().requestCount(sum());
        Metric targetErrors = balancer.getMetrics().httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, sum());
        Metric balancerErrors = balancer.getMetrics().httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, sum());
        IMetric errorRate = MathExpression.Builder.create()
                .label("5xx answers, % of requests")
                .expression("100 * (FILL(target, 0) + FILL(balancer, 0)) / FILL(requests, 1)")
                .usingMetrics(Map.of("target", targetErrors, "balancer", balancerErrors, "requests", requests))
                .period(Duration.minutes(5))
                .build();
        // More than 5% of answers are errors, for 10 minutes: a bad deploy or a dependency down, not one
        // unlucky request (a quiet service's single 503 is 100% of one request, hence the 10 minutes).
        alarm("ErrorRate", errorRate, 5, 2, "More than 5% of answers were 5xx for 10 minutes");
        Metric latency = balancer.getMetrics().targetResponseTime(MetricOptions
                .builder().statistic("p99").period(Duration.minutes(5)).build());
        // The job API answers in milliseconds and the page in tens: a p99 over 2 s means requests queue.
        alarm("SlowAnswers", latency, 2, 3, "The slowest 1% of answers took over 2 s, for 15 minutes");
        Metric health = Metric.Builder.create()
                .namespace("AWS/ElasticBeanstalk").metricName("EnvironmentHealth")
                .dimensionsMap(Map.of("EnvironmentName", environmentName))
                .statistic("Maximum").period(Duration.minutes(1)).build();
        // Elastic Beanstalk's free health figure (0 ok, 15 warning, 20 degraded, 25 severe): degraded
        // means instances fail their health check or most requests fail.
        alarm("Unhealthy", health, 20, 5, "The environment was degraded or severe for 5 minutes");

        // RDS: CPU that stays high slows every query; storage that runs out stops every write; and
        // connections near db.t4g.micro's limit (about 85) refuse new ones (each instance pools 10 per role).
        alarm("DatabaseCpu", database.metricCPUUtilization(average(15)), 80, 1, "The database's CPU was over 80% for 15 minutes");
        alarm("DatabaseStorage", database.metricFreeStorageSpace(minimum(5)), stage.databaseStorageGb() * 1e9 / 10, 1,
                "Less than a tenth of the database's storage is free", ComparisonOperator.LESS_THAN_THRESHOLD);
        alarm("DatabaseConnections", database.metricDatabaseConnections(maximum(5)), 60, 2,
                "Over 60 database connections for 10 minutes, near the instance's limit");

        // The queue store: full memory refuses new jobs (MemoryDB) or evicts keys (ElastiCache), and an
        // evicted key is a lost job record.
        alarm("QueueMemory", queueStore.metric("DatabaseMemoryUsagePercentage", "Maximum"), 80, 2,
                "The queue store's memory was over 80% full for 10 minutes");
        if (queueStore.evicts()) {
            alarm("QueueEvictions", queueStore.metric("Evictions", "Sum"), 0, 1,
                    "The queue store evicted keys: job records are being lost", ComparisonOperator.GREATER_THAN_THRESHOLD);
        }

        // The jobs, from the service's own figures. A dead letter is a job that will not be done without a
        // person: every one is worth a look, so one is enough.
        Metric deadLettered = jobs.metric(ServiceMetrics.DEAD_LETTERED, "Sum", Duration.minutes(5));
        alarm("JobsDeadLettered", deadLettered, 0, 1, "A job was dead-lettered: it failed every retry and waits for a person",
                ComparisonOperator.GREATER_THAN_THRESHOLD);
        // A job that waits longer than its callers accept (Stage.jobWaitAlarmMinutes) means the workers
        // cannot keep up or are stuck; the backlog scaling (.ebextensions) adds instances well before.
        Metric oldestWaiting = jobs.metric(ServiceMetrics.OLDEST_WAITING_AGE, "Maximum", Duration.minutes(1));
        alarm("JobsWaitTooLong", oldestWaiting, stage.jobWaitAlarmMinutes() * 60, 3,
                "The oldest waiting job has waited over " + stage.jobWaitAlarmMinutes() + " minutes, for 3 minutes",
                ComparisonOperator.GREATER_THAN_THRESHOLD);
        // Every instance runs a worker, so none heard from for 5 minutes is a crashed worker role or one
        // that cannot reach the queue. A worker whose handlers all hang still reports (it heartbeats while
        // its threads are full): JobsWaitTooLong is the alarm for that.
        // No figure at all counts as none: an instance that cannot publish has lost its worker or its way
        // to CloudWatch, and either needs a look (a new environment alarms until its first minute is in).
        Metric workers = jobs.metric(ServiceMetrics.WORKERS, "Maximum", Duration.minutes(1));
        alarm("NoWorker", workers, 1, 5, "No worker took or polled jobs for 5 minutes",
                ComparisonOperator.LESS_THAN_THRESHOLD, TreatMissingData.BREACHING);
        // A store replaced without its data (staging's one node, or anything that empties it) loses
        // every job accepted and not done: nothing to wait for, a person must know at once.
        alarm("JobStoreDataLost", jobs.metric(ServiceMetrics.STORE_DATA_LOSSES, "Sum", Duration.minutes(1)), 0, 1,
                "The job queue's store lost its data: the jobs it held are gone", ComparisonOperator.GREATER_THAN_THRESHOLD);
        Metric waiting = jobs.metric(ServiceMetrics.WAITING, "Maximum", Duration.minutes(1));

        dashboard = Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(settings.resourceName(stage))
                .build();
        dashboard.addWidgets(AlarmStatusWidget.Builder.create().title("Alarms").alarms(List.copyOf(alarms)).width(24).build());
        dashboard.addWidgets(
                graph("Requests and 5xx answers", requests, targetErrors, balancerErrors),
                graph("p50, p95, p99 answer time (s)",
                        balancer.getMetrics().targetResponseTime(statistic("p50")),
                        balancer.getMetrics().targetResponseTime(statistic("p95")), latency),
                graph("Environment health", health));
        dashboard.addWidgets(
                graph("Database CPU %", database.metricCPUUtilization(average(5))),
                graph("Database connections", database.metricDatabaseConnections(maximum(5))),
                graph("Database free storage (bytes)", database.metricFreeStorageSpace(minimum(5))),
                graph("Queue store memory %", queueStore.metric("DatabaseMemoryUsagePercentage", "Maximum")));
        dashboard.addWidgets(
                graph("Jobs waiting", waiting),
                graph("Oldest waiting job (s)", oldestWaiting),
                graph("Jobs dead-lettered", deadLettered),
                graph("Workers consuming", workers));
        NagSuppressions.addResourceSuppressions(topic, List.of(NagPackSuppression.builder().id("AwsSolutions-SNS3")
                .reason("The topic's policy requires TLS (enforceSsl); cdk-nag reads only statements it made itself.")
                .build()), true);
    }

    Topic topic() {
        return topic;
    }

    List<Alarm> alarms() {
        return List.copyOf(alarms);
    }

    /** The dashboard's address in the CloudWatch console. */
    String dashboardUrl() {
        return Fn.join("", List.of("https://", Aws.REGION, ".console.aws.amazon.com/cloudwatch/home?region=",
                Aws.REGION, "#dashboards:name=", dashboard.getDashboardName()));
    }

    /** The queue store's metrics in CloudWatch: AWS/ElastiCache by node, or AWS/MemoryDB by cluster. */
    record QueueStoreMetrics(String namespace, Map<String, String> dimensions, boolean evicts) {

        Metric metric(String name, String statistic) {
            return Metric.Builder.create().namespace(namespace).metricName(name).dimensionsMap(dimensions)
                    .statistic(statistic).period(Duration.minutes(5)).build();
        }
    }

    private void alarm(String id, IMetric metric, double threshold, int periods, String description) {
        alarm(id, metric, threshold, periods, description, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
    }

    /** An alarm that notifies the topic when it goes off and when it recovers. */
    private void alarm(String id, IMetric metric, double threshold, int periods, String description,
                       ComparisonOperator comparison) {
        // No data is no trouble: a quiet service sends no requests and its errors no figures.
        alarm(id, metric, threshold, periods, description, comparison, TreatMissingData.NOT_BREACHING);
    }

    private void alarm(String id, IMetric metric, double threshold, int periods, String description,
                       ComparisonOperator comparison, TreatMissingData missingData) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmName(prefix.strip() + "-" + id)
                .alarmDescription(prefix + description)
                .metric(metric)
                .threshold(threshold)
                .evaluationPeriods(periods)
                .comparisonOperator(comparison)
                .treatMissingData(missingData)
                .build();
        alarm.addAlarmAction(new SnsAction(topic));
        alarm.addOkAction(new SnsAction(topic));
        alarms.add(alarm);
    }

    private static GraphWidget graph(String title, IMetric... metrics) {
        return GraphWidget.Builder.create().title(title).left(List.of(metrics)).width(6).build();
    }

    private static MetricOptions sum() {
        return MetricOptions.builder().statistic("Sum").period(Duration.minutes(5)).build();
    }

    private static MetricOptions statistic(String statistic) {
        return MetricOptions.builder().statistic(statistic).period(Duration.minutes(5)).build();
    }

    private static MetricOptions average(int minutes) {
        return MetricOptions.builder().statistic("Average").period(Duration.minutes(minutes)).build();
    }

    private static MetricOptions minimum(int minutes) {
        return MetricOptions.builder().statistic("Minimum").period(Duration.minutes(minutes)).build();
    }

    private static MetricOptions maximum(int minutes) {
        return MetricOptions.builder().statistic("Maximum").period(Duration.minutes(minutes)).build();
    }
}
