package com.example.templateservice.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.certificatemanager.CertificateValidation;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.SecretValue;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.OriginProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.OriginRequestPolicy;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.VpcOrigin;
import software.amazon.awscdk.services.cloudfront.origins.VpcOriginWithEndpointProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationListener;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancerRedirectConfig;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationProtocol;
import software.amazon.awscdk.services.elasticloadbalancingv2.BaseApplicationListenerProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.CfnListener;
import software.amazon.awscdk.services.elasticloadbalancingv2.FixedResponseOptions;
import software.amazon.awscdk.services.elasticloadbalancingv2.ListenerAction;
import software.amazon.awscdk.services.elasticloadbalancingv2.ListenerCertificate;
import software.amazon.awscdk.services.elasticloadbalancingv2.SslPolicy;
import software.amazon.awscdk.services.cognito.AccountRecovery;
import software.amazon.awscdk.services.cognito.CfnUserPoolClient;
import software.amazon.awscdk.services.cognito.CognitoDomainOptions;
import software.amazon.awscdk.services.cognito.FeaturePlan;
import software.amazon.awscdk.services.cognito.OAuthFlows;
import software.amazon.awscdk.services.cognito.OAuthScope;
import software.amazon.awscdk.services.cognito.OAuthSettings;
import software.amazon.awscdk.services.cognito.PasswordPolicy;
import software.amazon.awscdk.services.cognito.ResourceServerScope;
import software.amazon.awscdk.services.cognito.SignInAliases;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.cognito.UserPoolClient;
import software.amazon.awscdk.services.cognito.UserPoolClientOptions;
import software.amazon.awscdk.services.cognito.UserPoolDomain;
import software.amazon.awscdk.services.cognito.UserPoolDomainOptions;
import software.amazon.awscdk.services.cognito.UserPoolResourceServer;
import software.amazon.awscdk.services.cognito.UserPoolResourceServerOptions;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.elasticache.CfnReplicationGroup;
import software.amazon.awscdk.services.elasticache.CfnSubnetGroup;
import software.amazon.awscdk.services.elasticbeanstalk.CfnApplication;
import software.amazon.awscdk.services.elasticbeanstalk.CfnEnvironment;
import software.amazon.awscdk.services.iam.InstanceProfile;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.memorydb.CfnACL;
import software.amazon.awscdk.services.memorydb.CfnCluster;
import software.amazon.awscdk.services.memorydb.CfnUser;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.rds.Credentials;
import software.amazon.awscdk.services.rds.DatabaseInstance;
import software.amazon.awscdk.services.rds.DatabaseInstanceEngine;
import software.amazon.awscdk.services.rds.MySqlInstanceEngineProps;
import software.amazon.awscdk.services.rds.MysqlEngineVersion;
import software.amazon.awscdk.services.rds.StorageType;
import software.amazon.awscdk.services.route53.CnameRecord;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the service runs, one stack per environment (staging, production; sizes in {@link Stage}): an
 * Elastic Beanstalk Docker environment (Amazon Linux 2023) that runs the web and worker roles from one
 * image behind a load balancer, CloudFront in front of it for HTTPS, RDS MySQL 8.4 and the job queue's
 * store (one ElastiCache node for staging; MemoryDB, durable across availability zones, for production:
 * {@link Stage.QueueStore}), in a VPC of their own. Only the service's instances reach the database and
 * the queue store; neither has a public address. Passwords live in Secrets Manager, and reach the
 * service as environment variables when an instance starts.
 */
public class EnvironmentStack extends Stack {

    private final Stage stage;

    /** The Elastic Beanstalk platform, pinned; `up` passes a newer one as the PlatformArn parameter when asked. */
    static final String PLATFORM = "Docker running on 64bit Amazon Linux 2023/4.13.1";
    static final String DATABASE_USER = "app";
    /** The queue store's user (MemoryDB has no password without a user), after the environment's name. */
    static final String QUEUE_USER = "app";
    /** The job API's scopes (Cognito puts the service's name and a slash before each in a token). */
    static final String READ_SCOPE = "jobs:read";
    static final String WRITE_SCOPE = "jobs:write";
    /** CloudFront's addresses that reach origins, as an AWS-managed prefix list (its id differs by region). */
    static final String CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";
    /** The parameter that takes that list's id in this region; infra/deploy up finds it. */
    static final String CLOUDFRONT_PREFIX_LIST = "CloudFrontPrefixList";
    /** TLS 1.3 and 1.2 only, the policy AWS recommends for new listeners. */
    static final String TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
    /** A year, the subdomains too: what HSTS preload lists ask for. */
    static final String HSTS = "max-age=31536000; includeSubDomains";
    /**
     * The oldest waiting job's age that adds an instance: a minute of backlog is more than a busy
     * minute's jitter (a worker takes a job within milliseconds when it has a free thread), and far
     * below the alarm's wait (Stage.jobWaitAlarmMinutes), so scaling acts before anyone is paged.
     */
    static final int BACKLOG_SCALE_OUT_SECONDS = 60;

    public EnvironmentStack(Construct scope, String id, StackProps props, DeliverySettings settings, Stage stage) {
        super(scope, id, props);
        this.stage = stage;

        CfnParameter platformArn = CfnParameter.Builder.create(this, "PlatformArn")
                .description("The Elastic Beanstalk platform version; managed updates keep it current within its branch")
                .defaultValue(Fn.sub("arn:aws:elasticbeanstalk:${AWS::Region}::platform/" + PLATFORM))
                .build();

        // Public subnets for the load balancer and the instances (no NAT gateway to pay for); isolated
        // ones, without a route out, for the database and the cache.
        Vpc vpc = Vpc.Builder.create(this, "Network")
                .maxAzs(2)
                .natGateways(0)
                .restrictDefaultSecurityGroup(false) // it would need a custom resource, and so a bootstrap
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("Public").subnetType(SubnetType.PUBLIC).cidrMask(24).build(),
                        SubnetConfiguration.builder().name("Data").subnetType(SubnetType.PRIVATE_ISOLATED).cidrMask(24).build(),
                        // The internal load balancer, which only CloudFront's VPC origin reaches.
                        SubnetConfiguration.builder().name("Balancer").subnetType(SubnetType.PRIVATE_ISOLATED).cidrMask(24).build()))
                .build();
        LogGroup flowLogs = LogGroup.Builder.create(this, "RejectedTraffic")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        vpc.addFlowLog("RejectedTrafficLog", FlowLogOptions.builder()
                .trafficType(FlowLogTrafficType.REJECT)
                .destination(FlowLogDestination.toCloudWatchLogs(flowLogs))
                .build());
        SubnetSelection publicSubnets = SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build();
        SubnetSelection dataSubnets = SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).build();

        // EC2 takes no apostrophe in a group's description.
        SecurityGroup app = securityGroup(vpc, "AppSecurityGroup", "The instances of the service");
        SecurityGroup database = securityGroup(vpc, "DatabaseSecurityGroup", "MySQL: from the instances of the service only");
        SecurityGroup cache = securityGroup(vpc, "CacheSecurityGroup", "Valkey: from the instances of the service only");
        database.addIngressRule(Peer.securityGroupId(app.getSecurityGroupId()), Port.tcp(3306), "MySQL from the service");
        cache.addIngressRule(Peer.securityGroupId(app.getSecurityGroupId()), Port.tcp(6379), "Valkey from the service");

        Secret databasePassword = password("DatabasePassword", "The MySQL password of " + settings.service());
        Secret cacheToken = password("CacheToken", "The Valkey AUTH token of " + settings.service());

        // The log groups RDS writes to, made here so that they get a retention (the CDK's own option
        // for it would add a Lambda function, and with it a bootstrap stack).
        for (String log : List.of("error", "slowquery")) {
            LogGroup.Builder.create(this, "DatabaseLog-" + log)
                    .logGroupName("/aws/rds/instance/" + settings.resourceName(stage) + "/" + log)
                    .retention(RetentionDays.ONE_MONTH)
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build();
        }
        DatabaseInstance mysql = DatabaseInstance.Builder.create(this, "Database")
                .instanceIdentifier(settings.resourceName(stage))
                .engine(DatabaseInstanceEngine.mysql(MySqlInstanceEngineProps.builder()
                        .version(MysqlEngineVersion.of("8.4", "8.4"))
                        .build()))
                .instanceType(new InstanceType(stage.databaseClass()))
                .vpc(vpc)
                .vpcSubnets(dataSubnets)
                .securityGroups(List.of(database))
                .credentials(Credentials.fromPassword(DATABASE_USER, databasePassword.getSecretValue()))
                .databaseName(settings.databaseName())
                .allocatedStorage(stage.databaseStorageGb())
                .storageType(StorageType.GP3)
                .storageEncrypted(true)
                .publiclyAccessible(false)
                .multiAz(stage.multiAzDatabase())
                .autoMinorVersionUpgrade(true)
                .backupRetention(Duration.days(7))
                .cloudwatchLogsExports(List.of("error", "slowquery"))
                .deletionProtection(false)
                // infra/deploy down, or deleting the stack, leaves a final snapshot of the data.
                .removalPolicy(RemovalPolicy.SNAPSHOT)
                .build();

        QueueEndpoint queue = stage.queueStore() == Stage.QueueStore.MEMORYDB
                ? durableQueueStore(settings, vpc, dataSubnets, cache, cacheToken)
                : singleCacheNode(settings, vpc, dataSubnets, cache, cacheToken);

        TokenIssuer issuer = tokenIssuer(settings);

        ServiceMetrics jobMetrics = ServiceMetrics.of(settings, stage);
        Role instanceRole = instanceRole(settings, databasePassword, cacheToken, jobMetrics);
        InstanceProfile instanceProfile = InstanceProfile.Builder.create(this, "InstanceProfile").role(instanceRole).build();
        Role serviceRole = Role.Builder.create(this, "ServiceRole")
                .description("Elastic Beanstalk manages " + settings.service() + "'s environment with this role")
                .assumedBy(new ServicePrincipal("elasticbeanstalk.amazonaws.com"))
                .managedPolicies(List.of(
                        ManagedPolicy.fromAwsManagedPolicyName("service-role/AWSElasticBeanstalkEnhancedHealth"),
                        ManagedPolicy.fromAwsManagedPolicyName("AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy")))
                .build();

        // An application per environment, so that each stack owns all it needs and can be removed alone.
        CfnApplication application = CfnApplication.Builder.create(this, "Application")
                .applicationName(settings.resourceName(stage))
                .description(settings.service() + ": web and worker, from one image")
                .build();
        List<CfnEnvironment.OptionSettingProperty> options = new ArrayList<>();
        // The network, the instances and who they are.
        option(options, "aws:ec2:vpc", "VPCId", vpc.getVpcId());
        option(options, "aws:ec2:vpc", "Subnets", joined(vpc.selectSubnets(publicSubnets).getSubnetIds()));
        option(options, "aws:ec2:vpc", "AssociatePublicIpAddress", "true");
        option(options, "aws:ec2:instances", "InstanceTypes", stage.instanceType());
        option(options, "aws:autoscaling:asg", "MinSize", String.valueOf(stage.minInstances()));
        option(options, "aws:autoscaling:asg", "MaxSize", String.valueOf(stage.maxInstances()));
        // Scaling on the traffic: CPU over 70% for 5 minutes adds an instance. Its low threshold is 0, so
        // it never removes one: the bundle's QueueAndCpuQuiet does, only while no job waits as well
        // (CPU alone would remove what a backlog of jobs that wait on other services just added).
        option(options, "aws:autoscaling:trigger", "MeasureName", "CPUUtilization");
        option(options, "aws:autoscaling:trigger", "Statistic", "Average");
        option(options, "aws:autoscaling:trigger", "Unit", "Percent");
        option(options, "aws:autoscaling:trigger", "Period", "1");
        option(options, "aws:autoscaling:trigger", "BreachDuration", "5");
        option(options, "aws:autoscaling:trigger", "UpperThreshold", "70");
        option(options, "aws:autoscaling:trigger", "UpperBreachScaleIncrement", "1");
        option(options, "aws:autoscaling:trigger", "LowerThreshold", "0");
        option(options, "aws:autoscaling:trigger", "LowerBreachScaleIncrement", "-1");
        // Scaling on the work: Elastic Beanstalk's trigger takes only its own metrics, so the bundle's
        // .ebextensions/backlog-scaling.config adds a policy on the environment's Auto Scaling group
        // that adds an instance when the oldest waiting job is older than this; it reads both options.
        option(options, "aws:elasticbeanstalk:customoption", "MetricsNamespace", jobMetrics.namespace());
        option(options, "aws:elasticbeanstalk:customoption", "BacklogScaleOutSeconds", String.valueOf(BACKLOG_SCALE_OUT_SECONDS));
        option(options, "aws:autoscaling:launchconfiguration", "IamInstanceProfile", instanceProfile.getInstanceProfileName());
        option(options, "aws:autoscaling:launchconfiguration", "SecurityGroups", app.getSecurityGroupId());
        option(options, "aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true");
        // The load balancer, its health check, and how a new version rolls out.
        option(options, "aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced");
        option(options, "aws:elasticbeanstalk:environment", "LoadBalancerType", "application");
        // The load balancer is this stack's own, shared with Elastic Beanstalk, which adds a rule for the
        // environment (its CNAME as the host) and a target group: one made by Elastic Beanstalk would be
        // invisible to CloudFormation, and its listeners could not redirect or be reached privately.
        FrontDoor front = settings.domain() == null
                ? privateLoadBalancer(settings, vpc, app)
                : publicHttpsLoadBalancer(settings, vpc, app, publicSubnets);
        option(options, "aws:elasticbeanstalk:environment", "LoadBalancerIsShared", "true");
        option(options, "aws:elbv2:loadbalancer", "SharedLoadBalancer", front.loadBalancer().getLoadBalancerArn());
        if (settings.domain() == null) {
            option(options, "aws:elbv2:listener:80", "Rules", "default");
        } else {
            // Requests come for the domain, not for the environment's CNAME: a rule of their own.
            option(options, "aws:elbv2:listenerrule:domain", "HostHeaders", settings.domain().hostFor(stage));
            option(options, "aws:elbv2:listenerrule:domain", "Process", "default");
            option(options, "aws:elbv2:listenerrule:domain", "Priority", "1");
            option(options, "aws:elbv2:listener:443", "Rules", "default,domain");
        }
        option(options, "aws:elasticbeanstalk:environment", "ServiceRole", serviceRole.getRoleArn());
        option(options, "aws:elasticbeanstalk:environment:process:default", "HealthCheckPath", "/health/readiness");
        option(options, "aws:elasticbeanstalk:environment:process:default", "MatcherHTTPCode", "200");
        option(options, "aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced");
        option(options, "aws:elasticbeanstalk:command", "DeploymentPolicy", "Rolling");
        option(options, "aws:elasticbeanstalk:command", "BatchSizeType", "Fixed");
        option(options, "aws:elasticbeanstalk:command", "BatchSize", "1");
        option(options, "aws:elasticbeanstalk:command", "Timeout", "900");
        // Platform updates, in a weekly window; logs to CloudWatch and S3.
        option(options, "aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true");
        option(options, "aws:elasticbeanstalk:managedactions", "PreferredStartTime", "Tue:09:00");
        option(options, "aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", "minor");
        option(options, "aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true");
        option(options, "aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "30");
        option(options, "aws:elasticbeanstalk:hostmanager", "LogPublicationControl", "true");
        // The service's settings (see its README), and its secrets, read when an instance starts.
        option(options, "aws:elasticbeanstalk:application:environment", "DB_HOST", mysql.getDbInstanceEndpointAddress());
        option(options, "aws:elasticbeanstalk:application:environment", "DB_PORT", mysql.getDbInstanceEndpointPort());
        option(options, "aws:elasticbeanstalk:application:environment", "DB_NAME", settings.databaseName());
        option(options, "aws:elasticbeanstalk:application:environment", "DB_USER", DATABASE_USER);
        option(options, "aws:elasticbeanstalk:application:environment", "REDIS_URL", queue.url());
        if (queue.cluster()) {
            option(options, "aws:elasticbeanstalk:application:environment", "REDIS_CLUSTER", "true");
        }
        if (queue.username() != null) {
            option(options, "aws:elasticbeanstalk:application:environment", "REDIS_USERNAME", queue.username());
        }
        // The job figures the alarms and the backlog scaling read, published to this environment's namespace.
        option(options, "aws:elasticbeanstalk:application:environment", "METRICS_CLOUDWATCH_NAMESPACE", jobMetrics.namespace());
        // The service's CloudWatch client takes its region from here, not from the instance's metadata.
        option(options, "aws:elasticbeanstalk:application:environment", "AWS_REGION", Aws.REGION);
        // Who may call the job API: access tokens of this environment's own user pool, for its client.
        option(options, "aws:elasticbeanstalk:application:environment", "AUTH_ISSUER", issuer.url());
        option(options, "aws:elasticbeanstalk:application:environment", "AUTH_JWKS_URL", issuer.jwksUrl());
        option(options, "aws:elasticbeanstalk:application:environment", "AUTH_AUDIENCES", issuer.clientId());
        option(options, "aws:elasticbeanstalk:application:environment", "AUTH_SCOPE_PREFIX", issuer.scopePrefix());
        option(options, "aws:elasticbeanstalk:application:environmentsecrets", "DB_PASSWORD", databasePassword.getSecretArn());
        option(options, "aws:elasticbeanstalk:application:environmentsecrets", "REDIS_PASSWORD", cacheToken.getSecretArn());

        CfnEnvironment environment = CfnEnvironment.Builder.create(this, "Environment")
                .applicationName(settings.resourceName(stage))
                .environmentName(settings.resourceName(stage))
                // The host of Elastic Beanstalk's rule on the shared load balancer: <name>.<region>.elasticbeanstalk.com.
                .cnamePrefix(cnamePrefix(settings))
                .description(settings.service() + " " + stage.name() + ": web and worker behind a load balancer")
                .platformArn(platformArn.getValueAsString())
                .optionSettings(options)
                .build();
        environment.getNode().addDependency(application, instanceProfile, mysql, queue.store());

        String url;
        if (settings.domain() == null) {
            Distribution distribution = httpsFront(settings, front.loadBalancer());
            url = "https://" + distribution.getDistributionDomainName() + "/";
        } else {
            String host = settings.domain().hostFor(stage);
            CnameRecord.Builder.create(this, "Address")
                    .zone(HostedZone.fromHostedZoneId(this, "Zone", settings.domain().hostedZoneId()))
                    // A name ending in a dot is taken whole, not under the zone's name (unknown here).
                    .recordName(host + ".")
                    .domainName(front.loadBalancer().getLoadBalancerDnsName())
                    .ttl(Duration.minutes(5))
                    .build();
            url = "https://" + host + "/";
        }
        CfnOutput.Builder.create(this, "ServiceUrl")
                .description("Where the service answers, over HTTPS")
                .value(url)
                .exportName(settings.urlExport(stage))
                .build();
        Alarms alarms = new Alarms(this, "Alarms", settings, stage, front.loadBalancer(), mysql, queue.metrics(),
                jobMetrics, settings.resourceName(stage));
        CfnOutput.Builder.create(this, "DashboardUrl")
                .description("The environment's CloudWatch dashboard")
                .value(alarms.dashboardUrl())
                .build();
        CfnOutput.Builder.create(this, "AlarmTopic")
                .description("Every alarm of the environment, and its recovery, is published here")
                .value(alarms.topic().getTopicArn())
                .build();
        CfnOutput.Builder.create(this, "TokenUrl")
                .description("Where a caller trades its client id and secret for an access token")
                .value(issuer.tokenUrl())
                .build();
        CfnOutput.Builder.create(this, "CallerSecret")
                .description("The ARN of the secret that holds the machine caller's client id, secret and token URL")
                .value(issuer.callerSecret().getSecretArn())
                .exportName(settings.callerSecretExport(stage))
                .build();
        CfnOutput.Builder.create(this, "EnvironmentName").value(environment.getEnvironmentName()).build();
        CfnOutput.Builder.create(this, "DatabaseEndpoint").value(mysql.getDbInstanceEndpointAddress()).build();

        suppressFindings(settings, mysql, databasePassword, cacheToken, instanceRole, serviceRole);
    }

    public Stage stage() {
        return stage;
    }

    /**
     * HTTPS without a domain of one's own: CloudFront in front of the load balancer, with its default
     * certificate (https://&lt;id&gt;.cloudfront.net). Viewers on plain HTTP are redirected; nothing is
     * cached, since every answer of the service is dynamic (the page counts visits); the origin gets
     * the method, body, headers (but Host), cookies and query of every request; every answer carries
     * Strict-Transport-Security.
     */
    private Distribution httpsFront(DeliverySettings settings, ApplicationLoadBalancer loadBalancer) {
        ResponseHeadersPolicy headers = ResponseHeadersPolicy.Builder.create(this, "SecurityHeaders")
                .comment(settings.resourceName(stage) + ": HSTS on every answer")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(365))
                                .includeSubdomains(true)
                                .override(true)
                                .build())
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .build())
                .build();
        Distribution distribution = Distribution.Builder.create(this, "Https")
                .comment(settings.resourceName(stage) + ": HTTPS in front of the load balancer")
                .defaultBehavior(BehaviorOptions.builder()
                        // A VPC origin: CloudFront reaches the internal load balancer inside the VPC, over
                        // AWS's network, so nothing on the internet reaches it at all, around CloudFront or
                        // not. The Host it sends is the environment's CNAME, which Elastic Beanstalk's rule
                        // on the shared load balancer expects.
                        .origin(VpcOrigin.withApplicationLoadBalancer(loadBalancer, VpcOriginWithEndpointProps.builder()
                                .vpcOriginName(settings.resourceName(stage))
                                .domainName(environmentHost(settings))
                                .httpPort(80)
                                .protocolPolicy(OriginProtocolPolicy.HTTP_ONLY)
                                .readTimeout(Duration.seconds(30))
                                .build()))
                        .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
                        .allowedMethods(AllowedMethods.ALLOW_ALL)
                        .cachePolicy(CachePolicy.CACHING_DISABLED)
                        .originRequestPolicy(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER)
                        .responseHeadersPolicy(headers)
                        .build())
                .priceClass(PriceClass.PRICE_CLASS_100)
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .build();
        NagSuppressions.addResourceSuppressions(distribution, List.of(
                suppress("AwsSolutions-CFR1", "The service is for every country; a team that must restrict"
                        + " countries adds geoRestriction here."),
                suppress("AwsSolutions-CFR2", "No WAF by default (about $5 a month and $1 per rule): the API"
                        + " validates every request; add a web ACL here when the service needs rate limits."),
                suppress("AwsSolutions-CFR3", "Access logs would need a bucket with ACLs enabled; the load"
                        + " balancer's and the service's own logs record the requests."),
                suppress("AwsSolutions-CFR4", "The default *.cloudfront.net certificate allows TLS 1.0 and"
                        + " CloudFront cannot raise that floor for it; a domain of one's own with an ACM"
                        + " certificate can (TLSv1.2_2021)."),
                suppress("AwsSolutions-CFR5", "The origin is an internal load balancer reached through a VPC"
                        + " origin, inside the VPC, never over the internet; AWS issues no certificate for its"
                        + " *.elb.amazonaws.com name.")));
        return distribution;
    }

    /** The load balancer in front of the environment, which this stack owns and Elastic Beanstalk shares. */
    private record FrontDoor(ApplicationLoadBalancer loadBalancer) {
    }

    private String cnamePrefix(DeliverySettings settings) {
        return settings.resourceName(stage);
    }

    /** The environment's CNAME, the host Elastic Beanstalk's listener rule matches. */
    private String environmentHost(DeliverySettings settings) {
        return Fn.join("", List.of(cnamePrefix(settings), ".", Aws.REGION, ".elasticbeanstalk.com"));
    }

    /**
     * Without a domain: an internal load balancer, in subnets with no route to the internet, that only
     * CloudFront reaches, through a VPC origin. Its security group admits CloudFront's origin-facing
     * addresses on port 80 and nothing else (the list weighs 55 of a group's 60 rules, so it takes one
     * port); anything else gets 404 from the listener, which forwards only what Elastic Beanstalk's rule
     * matches.
     */
    private FrontDoor privateLoadBalancer(DeliverySettings settings, Vpc vpc, SecurityGroup app) {
        CfnParameter prefixList = CfnParameter.Builder.create(this, CLOUDFRONT_PREFIX_LIST)
                .description("The id of the AWS-managed prefix list " + CLOUDFRONT_ORIGIN_FACING
                        + " in this region; infra/deploy up finds it")
                .allowedPattern("pl-[0-9a-f]+")
                .build();
        SecurityGroup group = SecurityGroup.Builder.create(this, "LoadBalancerSecurityGroup").vpc(vpc)
                .description("The load balancer: HTTP from CloudFront only")
                .allowAllOutbound(false)
                // Its rules as resources of their own: the instances' group and this one name each other.
                .disableInlineRules(true)
                .build();
        group.addIngressRule(Peer.prefixList(prefixList.getValueAsString()), Port.tcp(80), "HTTP from CloudFront only");
        ApplicationLoadBalancer balancer = loadBalancer(settings, vpc, app, group, false,
                SubnetSelection.builder().subnetGroupName("Balancer").build());
        balancer.addListener("Http", BaseApplicationListenerProps.builder()
                .port(80)
                .protocol(ApplicationProtocol.HTTP)
                .open(false)
                .defaultAction(ListenerAction.fixedResponse(404, FixedResponseOptions.builder()
                        .contentType("text/plain").messageBody("Not found").build()))
                .build());
        return new FrontDoor(balancer);
    }

    /**
     * With a domain: an internet-facing load balancer that serves HTTPS itself, with a DNS-validated
     * certificate, a current TLS policy and Strict-Transport-Security on every answer; port 80 only
     * redirects to 443.
     */
    private FrontDoor publicHttpsLoadBalancer(DeliverySettings settings, Vpc vpc, SecurityGroup app,
                                              SubnetSelection publicSubnets) {
        Certificate certificate = Certificate.Builder.create(this, "Certificate")
                .domainName(settings.domain().hostFor(stage))
                .validation(CertificateValidation.fromDns(
                        HostedZone.fromHostedZoneId(this, "CertificateZone", settings.domain().hostedZoneId())))
                .build();
        SecurityGroup group = SecurityGroup.Builder.create(this, "LoadBalancerSecurityGroup").vpc(vpc)
                .description("The load balancer: HTTPS, and HTTP only to redirect it")
                .allowAllOutbound(false)
                // Its rules as resources of their own: the instances' group and this one name each other.
                .disableInlineRules(true)
                .build();
        group.addIngressRule(Peer.anyIpv4(), Port.tcp(443), "HTTPS");
        group.addIngressRule(Peer.anyIpv4(), Port.tcp(80), "HTTP, redirected to HTTPS");
        NagSuppressions.addResourceSuppressions(group, List.of(suppress("AwsSolutions-EC23", "A public API: HTTPS"
                + " from anywhere, and HTTP from anywhere only to be redirected to HTTPS.")), true);
        ApplicationLoadBalancer balancer = loadBalancer(settings, vpc, app, group, true, publicSubnets);
        ApplicationListener https = balancer.addListener("Https", BaseApplicationListenerProps.builder()
                .port(443)
                .protocol(ApplicationProtocol.HTTPS)
                .certificates(List.of(ListenerCertificate.fromArn(certificate.getCertificateArn())))
                .sslPolicy(SslPolicy.RECOMMENDED_TLS) // TLS_POLICY
                .open(false)
                .defaultAction(ListenerAction.fixedResponse(404, FixedResponseOptions.builder()
                        .contentType("text/plain").messageBody("Not found").build()))
                .build());
        // The load balancer adds HSTS to every answer it passes on (a listener attribute since 2024).
        ((CfnListener) https.getNode().getDefaultChild()).setListenerAttributes(List.of(CfnListener.ListenerAttributeProperty.builder()
                .key("routing.http.response.strict_transport_security.header_value")
                .value(HSTS)
                .build()));
        balancer.addRedirect(ApplicationLoadBalancerRedirectConfig.builder()
                .sourcePort(80).sourceProtocol(ApplicationProtocol.HTTP)
                .targetPort(443).targetProtocol(ApplicationProtocol.HTTPS)
                .build());
        return new FrontDoor(balancer);
    }

    private ApplicationLoadBalancer loadBalancer(DeliverySettings settings, Vpc vpc, SecurityGroup app,
                                                 SecurityGroup group, boolean internetFacing, SubnetSelection subnets) {
        ApplicationLoadBalancer balancer = ApplicationLoadBalancer.Builder.create(this, "LoadBalancer")
                .loadBalancerName(settings.resourceName(stage).length() <= 32 ? settings.resourceName(stage) : null)
                .vpc(vpc)
                .internetFacing(internetFacing)
                .vpcSubnets(subnets)
                .securityGroup(group)
                .dropInvalidHeaderFields(true)
                .build();
        // The load balancer reaches the instances (Elastic Beanstalk registers them) on the port the
        // service's proxy listens on, and nothing else.
        group.addEgressRule(Peer.securityGroupId(app.getSecurityGroupId()), Port.tcp(80), "To the service's instances");
        app.addIngressRule(Peer.securityGroupId(group.getSecurityGroupId()), Port.tcp(80), "HTTP from the load balancer");
        NagSuppressions.addResourceSuppressions(balancer, List.of(
                suppress("AwsSolutions-ELB2", "Access logs would need a bucket and its policy; CloudFront's or the"
                        + " load balancer's CloudWatch metrics and the service's own JSON logs record the requests.")));
        return balancer;
    }

    /** Where the service finds its queue store, and the resource the environment waits for. */
    private record QueueEndpoint(String url, boolean cluster, String username, CfnResource store,
                                 Alarms.QueueStoreMetrics metrics) {
    }

    /**
     * Staging's queue: one ElastiCache (Valkey) node, encrypted, with an AUTH token; it keeps nothing
     * when the node is replaced (see {@link Stage.QueueStore#SINGLE_CACHE_NODE}).
     */
    private QueueEndpoint singleCacheNode(DeliverySettings settings, Vpc vpc, SubnetSelection subnets,
                                          SecurityGroup group, Secret token) {
        CfnSubnetGroup cacheSubnets = CfnSubnetGroup.Builder.create(this, "CacheSubnets")
                .description("The isolated subnets of " + settings.service())
                .subnetIds(vpc.selectSubnets(subnets).getSubnetIds())
                .build();
        CfnReplicationGroup valkey = CfnReplicationGroup.Builder.create(this, "Cache")
                .replicationGroupDescription("The job queue of " + settings.service())
                .engine("valkey")
                .engineVersion("8.0")
                .cacheNodeType(stage.queueNodeType())
                .numCacheClusters(1)
                .automaticFailoverEnabled(false)
                .transitEncryptionEnabled(true)
                .atRestEncryptionEnabled(true)
                .authToken(token.getSecretValue().unsafeUnwrap())
                .cacheSubnetGroupName(cacheSubnets.getRef())
                .securityGroupIds(List.of(group.getSecurityGroupId()))
                .port(6379)
                .build();
        valkey.getNode().addDependency(cacheSubnets);
        NagSuppressions.addResourceSuppressions(valkey, List.of(
                suppress("AwsSolutions-AEC4", "Staging's queue is one node to keep its cost low: its jobs are test"
                        + " traffic. Production's is MemoryDB, Multi-AZ (Stage.java)."),
                suppress("AwsSolutions-AEC5", "The port is reachable only from the service's security group;"
                        + " another number would hide nothing.")));
        return new QueueEndpoint(Fn.join("", List.of("rediss://", valkey.getAttrPrimaryEndPointAddress(), ":",
                valkey.getAttrPrimaryEndPointPort())), false, null, valkey,
                // The one node of the replication group, by the name ElastiCache gives it.
                new Alarms.QueueStoreMetrics("AWS/ElastiCache", Map.of("CacheClusterId", valkey.getRef() + "-001"), true));
    }

    /**
     * Production's queue: Amazon MemoryDB (Valkey), one shard with a replica per further availability
     * zone, TLS, and a user of its own with the generated password; every write is in the Multi-AZ
     * transaction log before it is acknowledged (see {@link Stage.QueueStore#MEMORYDB}). MemoryDB is
     * always a cluster, which the service is told (REDIS_CLUSTER): its keys share one hash slot.
     */
    private QueueEndpoint durableQueueStore(DeliverySettings settings, Vpc vpc, SubnetSelection subnets,
                                            SecurityGroup group, Secret password) {
        software.amazon.awscdk.services.memorydb.CfnSubnetGroup storeSubnets =
                software.amazon.awscdk.services.memorydb.CfnSubnetGroup.Builder.create(this, "QueueStoreSubnets")
                        .subnetGroupName(settings.resourceName(stage))
                        .description("The isolated subnets of " + settings.service())
                        .subnetIds(vpc.selectSubnets(subnets).getSubnetIds())
                        .build();
        CfnUser user = CfnUser.Builder.create(this, "QueueStoreUser")
                .userName(settings.resourceName(stage) + "-" + QUEUE_USER)
                // Every key and command: the store holds this service's queue and nothing else.
                .accessString("on ~* &* +@all")
                .authenticationMode(Map.of("Type", "password",
                        "Passwords", List.of(password.getSecretValue().unsafeUnwrap())))
                .build();
        CfnACL acl = CfnACL.Builder.create(this, "QueueStoreAccess")
                .aclName(settings.resourceName(stage))
                .userNames(List.of(user.getUserName()))
                .build();
        acl.getNode().addDependency(user);
        CfnCluster memorydb = CfnCluster.Builder.create(this, "QueueStore")
                .clusterName(settings.resourceName(stage))
                .description("The job queue of " + settings.service() + ", durable across availability zones")
                .engine("valkey")
                .engineVersion("7.2")
                .nodeType(stage.queueNodeType())
                .numShards(1)
                .numReplicasPerShard(1)
                .aclName(acl.getAclName())
                .tlsEnabled(true)
                .subnetGroupName(storeSubnets.getSubnetGroupName())
                .securityGroupIds(List.of(group.getSecurityGroupId()))
                .port(6379)
                .autoMinorVersionUpgrade(true)
                .snapshotRetentionLimit(7)
                .maintenanceWindow("tue:10:00-tue:11:00")
                .build();
        memorydb.getNode().addDependency(acl, storeSubnets);
        return new QueueEndpoint(Fn.join("", List.of("rediss://", memorydb.getAttrClusterEndpointAddress(), ":",
                memorydb.getAttrClusterEndpointPort().toString())), true, user.getUserName(), memorydb,
                // MemoryDB never evicts (noeviction): a full store refuses writes, which the memory alarm sees first.
                new Alarms.QueueStoreMetrics("AWS/MemoryDB", Map.of("ClusterName", memorydb.getClusterName()), false));
    }

    /**
     * Who issues the tokens the job API takes, and how a caller gets one.
     *
     * @param url          the issuer, as the tokens' iss claim names it
     * @param jwksUrl      where its public keys are
     * @param clientId     the machine caller's client id (Cognito's access tokens carry client_id, no aud)
     * @param scopePrefix  what Cognito puts before each scope (the resource server's identifier and a slash)
     * @param tokenUrl     the OAuth 2.0 token endpoint (client credentials)
     * @param callerSecret the secret that holds the caller's client id, secret and the token URL
     */
    private record TokenIssuer(String url, String jwksUrl, String clientId, String scopePrefix, String tokenUrl,
                               Secret callerSecret) {
    }

    /**
     * A Cognito user pool of this environment's own, for machine callers only: nobody signs up or in;
     * a resource server with the job API's scopes; one app client that uses the client-credentials
     * grant, whose id and secret are kept in Secrets Manager for whoever runs the caller. Staging's pool
     * and production's are separate, so a staging token is never taken by production.
     */
    private TokenIssuer tokenIssuer(DeliverySettings settings) {
        UserPool pool = UserPool.Builder.create(this, "Callers")
                .userPoolName(settings.resourceName(stage) + "-callers")
                .selfSignUpEnabled(false)
                .featurePlan(FeaturePlan.ESSENTIALS)
                .signInAliases(SignInAliases.builder().username(true).build())
                .accountRecovery(AccountRecovery.NONE)
                .passwordPolicy(PasswordPolicy.builder().minLength(16).requireDigits(true).requireLowercase(true)
                        .requireUppercase(true).requireSymbols(true).build())
                // The pool holds no user, only the client below; infra/deploy down removes it with the rest.
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        UserPoolResourceServer api = pool.addResourceServer("JobApi", UserPoolResourceServerOptions.builder()
                .identifier(settings.service())
                .userPoolResourceServerName(settings.service() + " job API")
                .scopes(List.of(
                        ResourceServerScope.Builder.create().scopeName(READ_SCOPE).scopeDescription("Read one's own jobs").build(),
                        ResourceServerScope.Builder.create().scopeName(WRITE_SCOPE).scopeDescription("Queue jobs").build()))
                .build());
        UserPoolDomain domain = pool.addDomain("TokenDomain", UserPoolDomainOptions.builder()
                // A prefix is unique in its region across every account, hence the account's number.
                .cognitoDomain(CognitoDomainOptions.builder()
                        .domainPrefix(Fn.join("-", List.of(settings.resourceName(stage), Aws.ACCOUNT_ID))).build())
                .build());
        UserPoolClient caller = pool.addClient("Caller", UserPoolClientOptions.builder()
                .userPoolClientName(settings.resourceName(stage) + "-caller")
                .generateSecret(true)
                .oAuth(OAuthSettings.builder()
                        .flows(OAuthFlows.builder().clientCredentials(true).build())
                        .scopes(List.of(OAuthScope.custom(settings.service() + "/" + READ_SCOPE),
                                OAuthScope.custom(settings.service() + "/" + WRITE_SCOPE)))
                        .build())
                // An hour: callers cache a token until it expires (each new one is billed).
                .accessTokenValidity(Duration.hours(1))
                .enableTokenRevocation(true)
                .preventUserExistenceErrors(true)
                .build());
        // The scopes must exist before a client may be given them.
        caller.getNode().addDependency(api);
        // No user signs in with this client: only the refresh-token flow, which the client-credentials
        // grant never uses, rather than Cognito's default of password (SRP) and custom sign-ins too.
        ((CfnUserPoolClient) caller.getNode().getDefaultChild()).setExplicitAuthFlows(List.of("ALLOW_REFRESH_TOKEN_AUTH"));
        String tokenUrl = domain.baseUrl() + "/oauth2/token";
        Secret callerSecret = Secret.Builder.create(this, "CallerCredentials")
                .description("The client id and secret a caller of " + settings.resourceName(stage)
                        + "'s job API trades for a token at token_url")
                .secretObjectValue(Map.of(
                        "client_id", SecretValue.unsafePlainText(caller.getUserPoolClientId()),
                        "client_secret", SecretValue.resourceAttribute(
                                ((CfnUserPoolClient) caller.getNode().getDefaultChild()).getAttrClientSecret()),
                        "token_url", SecretValue.unsafePlainText(tokenUrl),
                        "scope", SecretValue.unsafePlainText(settings.service() + "/" + WRITE_SCOPE + " "
                                + settings.service() + "/" + READ_SCOPE)))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        NagSuppressions.addResourceSuppressions(pool, List.of(
                suppress("AwsSolutions-COG2", "The pool has no users, only a machine client (client credentials):"
                        + " there is nobody to ask for a second factor."),
                suppress("AwsSolutions-COG3", "Advanced security (threat protection) watches users' sign-ins;"
                        + " this pool has no users, only a machine client."),
                suppress("AwsSolutions-COG8", "The Plus plan's threat protection watches users' sign-ins; this"
                        + " pool has no users, only a machine client.")), true);
        NagSuppressions.addResourceSuppressions(callerSecret, List.of(
                suppress("AwsSolutions-SMG4", "Cognito generates the client secret and cannot rotate it in place;"
                        + " to rotate, add a second client, move callers to it, then remove the first.")));
        // Spelled out: the pool's ProviderURL attribute lacks the https:// that the tokens' iss claim has.
        String url = Fn.join("", List.of("https://cognito-idp.", Aws.REGION, ".amazonaws.com/", pool.getUserPoolId()));
        return new TokenIssuer(url, url + "/.well-known/jwks.json", caller.getUserPoolClientId(),
                settings.service() + "/", tokenUrl, callerSecret);
    }

    private SecurityGroup securityGroup(Vpc vpc, String id, String description) {
        return SecurityGroup.Builder.create(this, id).vpc(vpc).description(description).allowAllOutbound(true).build();
    }

    /** A generated password, 32 letters and digits, that never rotates (see the SMG4 suppression). */
    private Secret password(String id, String description) {
        return Secret.Builder.create(this, id)
                .description(description)
                .generateSecretString(SecretStringGenerator.builder().excludePunctuation(true).passwordLength(32).build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    /**
     * The role of the service's instances: what Elastic Beanstalk's instance agent needs, pulling
     * images from this service's repository only, reading this service's two secrets only, and
     * publishing figures to this environment's metric namespace only.
     */
    private Role instanceRole(DeliverySettings settings, Secret databasePassword, Secret cacheToken, ServiceMetrics metrics) {
        Role role = Role.Builder.create(this, "InstanceRole")
                .description("The instances of " + settings.service())
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("AWSElasticBeanstalkWebTier")))
                .build();
        role.addToPolicy(PolicyStatement.Builder.create()
                // AWS requires "*" here: an authorization token is not tied to a repository.
                .actions(List.of("ecr:GetAuthorizationToken"))
                .resources(List.of("*"))
                .build());
        role.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"))
                .resources(List.of(formatArn(software.amazon.awscdk.ArnComponents.builder()
                        .service("ecr").resource("repository").resourceName(settings.resourceName()).build())))
                .build());
        role.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("secretsmanager:GetSecretValue"))
                .resources(List.of(databasePassword.getSecretArn(), cacheToken.getSecretArn()))
                .build());
        role.addToPolicy(PolicyStatement.Builder.create()
                // PutMetricData has no resource to name: the namespace condition is how AWS narrows it.
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", metrics.namespace())))
                .build());
        return role;
    }

    private static void option(List<CfnEnvironment.OptionSettingProperty> options, String namespace, String name, String value) {
        options.add(CfnEnvironment.OptionSettingProperty.builder().namespace(namespace).optionName(name).value(value).build());
    }

    private static String joined(List<String> values) {
        return Fn.join(",", values);
    }

    /** The cdk-nag AwsSolutions findings this stack accepts, each with its reason. */
    private void suppressFindings(DeliverySettings settings, DatabaseInstance mysql, Secret databasePassword, Secret cacheToken, Role instanceRole, Role serviceRole) {
        if (!stage.multiAzDatabase()) {
            NagSuppressions.addResourceSuppressions(mysql, List.of(suppress("AwsSolutions-RDS3", "Staging runs one"
                    + " instance to keep its cost low; production's database is Multi-AZ (Stage.java).")), true);
        }
        NagSuppressions.addResourceSuppressions(mysql, List.of(
                suppress("AwsSolutions-RDS10", "infra/deploy down removes the stack on request; the removal policy"
                        + " keeps a final snapshot of the data, so deletion protection would only block it."),
                suppress("AwsSolutions-RDS11", "The port is reachable only from the service's security group;"
                        + " another number would hide nothing."),
                suppress("AwsSolutions-RDS6", "The service authenticates with a password from Secrets Manager;"
                        + " IAM tokens would expire every 15 minutes under a pooled JDBC connection.")), true);
        for (Secret secret : List.of(databasePassword, cacheToken)) {
            NagSuppressions.addResourceSuppressions(secret, List.of(
                    suppress("AwsSolutions-SMG4", "Elastic Beanstalk hands secrets to the service when an instance"
                            + " starts; a rotated password would lock running instances out. Rotate by changing the"
                            + " secret and restarting the environment.")));
        }
        NagSuppressions.addResourceSuppressions(instanceRole, List.of(
                suppress("AwsSolutions-IAM4", "AWSElasticBeanstalkWebTier is the policy Elastic Beanstalk documents"
                        + " for its instance agent (log streaming and its own S3 bucket)."),
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason("ecr:GetAuthorizationToken and"
                        + " cloudwatch:PutMetricData have no resource to narrow them to: AWS requires \"*\"; the"
                        + " second is held to the environment's namespace by a condition.")
                        .appliesTo(List.of("Resource::*")).build()), true);
        NagSuppressions.addResourceSuppressions(serviceRole, List.of(
                suppress("AwsSolutions-IAM4", "AWSElasticBeanstalkEnhancedHealth and"
                        + " AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy are the policies Elastic Beanstalk"
                        + " documents for its service role (health reporting and managed platform updates).")), true);
    }

    private static NagPackSuppression suppress(String id, String reason) {
        return NagPackSuppression.builder().id(id).reason(reason).build();
    }
}
