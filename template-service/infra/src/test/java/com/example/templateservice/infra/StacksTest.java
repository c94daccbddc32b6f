package com.example.templateservice.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codepipeline.CfnPipeline;
import software.amazon.awscdk.services.elasticloadbalancingv2.CfnListener;
import software.amazon.awscdk.services.rds.CfnDBInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stacks (staging, production, the pipeline), synthesized offline: what matters about them
 * asserted on their templates, and cdk-nag's AWS Solutions rules with no finding left unsuppressed.
 * Deliberately broken copies (a public, unencrypted database; a production deploy that does not wait
 * for the approval) must fail those same checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StacksTest {

    /** The team's Maven repository, in AWS CodeArtifact, where the build finds the runtime library. */
    private static final String CODEARTIFACT_URL =
            "https://acme-123456789012.d.codeartifact.eu-west-1.amazonaws.com/maven/releases/";
    private static final DeliverySettings SETTINGS =
            new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE, "main")
                    .withMavenRepository(new MavenRepository(CODEARTIFACT_URL));
    /** The only actions allowed on resource "*", each because AWS offers nothing narrower. */
    private static final Set<String> ACTIONS_ON_ANY_RESOURCE = Set.of("ecr:GetAuthorizationToken", "sts:GetServiceBearerToken");
    /** The only AWS managed policies attached, each named in a cdk-nag suppression with its reason. */
    private static final Set<String> MANAGED_POLICIES = Set.of("AWSElasticBeanstalkWebTier",
            "service-role/AWSElasticBeanstalkEnhancedHealth", "AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
            "AdministratorAccess-AWSElasticBeanstalk");

    /** The stages of the pipeline, in order, and what each must be. */
    private static final List<String> STAGES = List.of("Source", "Build", "Staging", "SmokeTest", "Approval", "Production");

    private Template pipeline;
    /** Production's; staging's has the same resources (see eachEnvironmentHasItsOwn...). */
    private Template environment;
    private Template staging;

    @BeforeAll
    void synthesize() throws IOException {
        InfraApp app = checkedApp(SETTINGS);
        pipeline = Template.fromStack(app.pipeline());
        environment = Template.fromStack(app.environment(Stage.PRODUCTION));
        staging = Template.fromStack(app.environment(Stage.STAGING));
    }

    @Test
    void theImageRepositoryScansPushesKeepsTagsAndForgetsOldImages() {
        pipeline.hasResourceProperties("AWS::ECR::Repository", Map.of(
                "RepositoryName", SETTINGS.resourceName(),
                "ImageScanningConfiguration", Map.of("ScanOnPush", true),
                "ImageTagMutability", "IMMUTABLE",
                "LifecyclePolicy", Match.objectLike(Map.of("LifecyclePolicyText", Match.stringLikeRegexp(".*imageCountMoreThan.*")))));
    }

    @Test
    void theArtifactBucketIsEncryptedPrivateAndTakesOnlyTls() {
        pipeline.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "BucketEncryption", Match.objectLike(Map.of("ServerSideEncryptionConfiguration", Match.anyValue())),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true))));
        pipeline.hasResourceProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    }

    @Test
    void thePipelineIsV2QueuedAndGoesThroughBuildStagingSmokeTestApprovalProduction() {
        pipeline.hasResourceProperties("AWS::CodePipeline::Pipeline", Match.objectLike(Map.of(
                "PipelineType", "V2",
                "ExecutionMode", "QUEUED",
                "Stages", List.of(
                        stage("Source", "CodeStarSourceConnection"),
                        stage("Build", "CodeBuild"),
                        stage("Staging", "ElasticBeanstalk"),
                        stage("SmokeTest", "CodeBuild"),
                        stage("Approval", "Manual"),
                        stage("Production", "ElasticBeanstalk")))));
        assertStagingSmokeTestApprovalThenTheSameBundleToProduction(pipeline);
        pipeline.hasResourceProperties("AWS::CodeConnections::Connection", Map.of(
                "ConnectionName", SETTINGS.connectionName(), "ProviderType", "GitHub"));
        pipeline.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Environment", Match.objectLike(Map.of("PrivilegedMode", true)),
                "Source", Match.objectLike(Map.of("Type", "CODEPIPELINE", "BuildSpec", "buildspec.yml")))));
    }

    @Test
    void theBuildTakesTheRuntimeLibraryFromTheTeamsCodeArtifactRepositoryWithATokenOfItsOwn() {
        pipeline.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Name", SETTINGS.resourceName(),
                "Environment", Match.objectLike(Map.of("EnvironmentVariables", Match.arrayWith(List.of(
                        Map.of("Name", "CODEARTIFACT_DOMAIN", "Type", "PLAINTEXT", "Value", "acme"),
                        Map.of("Name", "CODEARTIFACT_DOMAIN_OWNER", "Type", "PLAINTEXT", "Value", "123456789012"),
                        Map.of("Name", "MAVEN_REPOSITORY_URL", "Type", "PLAINTEXT", "Value", CODEARTIFACT_URL))))))));
        List<Map<String, Object>> statements = statements(pipeline);
        assertTrue(statements.stream().anyMatch(statement -> list(statement.get("Action")).equals(List.of("codeartifact:GetAuthorizationToken"))
                && list(statement.get("Resource")).equals(List.of("arn:aws:codeartifact:eu-west-1:123456789012:domain/acme"))),
                "no token right on the domain alone: " + statements);
        assertTrue(statements.stream().anyMatch(statement -> list(statement.get("Action")).equals(List.of("codeartifact:ReadFromRepository"))
                && list(statement.get("Resource")).equals(List.of("arn:aws:codeartifact:eu-west-1:123456789012:repository/acme/releases"))),
                "no read right on the repository alone: " + statements);
        assertTrue(statements.stream().filter(statement -> list(statement.get("Action")).contains("sts:GetServiceBearerToken"))
                .allMatch(statement -> String.valueOf(statement.get("Condition")).contains("codeartifact.amazonaws.com")),
                "a bearer token for any service: " + statements);
        assertTrue(new MavenRepository("https://maven.acme.test/releases").codeArtifact().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new MavenRepository("http://maven.acme.test/releases"),
                "a plain-HTTP repository for the build");
    }

    @Test
    void theSmokeTestRunsTheRepositorysScriptAgainstStagingsUrlAndTheApprovalNotifiesAndNamesCommitAndUrl() {
        pipeline.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Name", SETTINGS.resourceName() + "-smoke-test",
                "Source", Match.objectLike(Map.of("Type", "CODEPIPELINE", "BuildSpec", "deploy/smoke-test-buildspec.yml")),
                "Environment", Match.objectLike(Map.of("EnvironmentVariables", Match.arrayWith(List.of(Map.of(
                        "Name", "SERVICE_URL", "Type", "PLAINTEXT",
                        "Value", Map.of("Fn::ImportValue", SETTINGS.urlExport(Stage.STAGING))))))))));
        // The smoke test gets a token as a caller does: the client's id and secret from staging's secret.
        Object callerSecret = Map.of("Fn::ImportValue", SETTINGS.callerSecretExport(Stage.STAGING));
        pipeline.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Name", SETTINGS.resourceName() + "-smoke-test",
                "Environment", Match.objectLike(Map.of("EnvironmentVariables", Match.arrayWith(List.of(
                        Map.of("Name", "CALLER_SECRET", "Type", "SECRETS_MANAGER",
                                "Value", Map.of("Fn::Join", List.of("", List.of(callerSecret, ":client_secret")))))))))));
        assertTrue(statements(pipeline).stream().anyMatch(statement -> "secretsmanager:GetSecretValue".equals(statement.get("Action"))
                && callerSecret.equals(statement.get("Resource"))), "the smoke test may not read the caller's secret");
        Map<String, Object> approval = action(pipeline, "Approval");
        Map<?, ?> configuration = (Map<?, ?>) approval.get("Configuration");
        assertTrue(configuration.containsKey("NotificationArn"), "no SNS topic is told: " + approval);
        String customData = String.valueOf(configuration.get("CustomData"));
        assertTrue(customData.contains("#{SourceVariables.CommitId}") || customData.contains(".CommitId}"),
                "the approval does not name the commit: " + customData);
        assertTrue(customData.contains(SETTINGS.urlExport(Stage.STAGING)), "the approval does not name staging's URL: " + customData);
        assertTrue(customData.contains(".IMAGE}"), "the approval does not name the image: " + customData);
        pipeline.hasResourceProperties("AWS::SNS::TopicPolicy", Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    }

    @Test
    void aProductionDeployThatDoesNotWaitForTheApprovalFailsTheChecks() throws IOException {
        InfraApp broken = checkedApp(SETTINGS);
        List<Object> stages = new ArrayList<>(list(pipeline.findResources("AWS::CodePipeline::Pipeline").values().iterator()
                .next().get("Properties") instanceof Map<?, ?> properties ? properties.get("Stages") : null));
        // Production moved before the approval, as a careless edit would.
        stages.add(STAGES.indexOf("Approval"), stages.remove(STAGES.indexOf("Production")));
        CfnPipeline cfn = (CfnPipeline) broken.pipeline().getNode().findChild("Pipeline").getNode().getDefaultChild();
        cfn.addPropertyOverride("Stages", stages);

        Template template = Template.fromStack(broken.pipeline());

        AssertionError failure = assertThrows(AssertionError.class,
                () -> assertStagingSmokeTestApprovalThenTheSameBundleToProduction(template));
        assertTrue(failure.getMessage().contains("Production"), failure.getMessage());
    }

    @Test
    void eachEnvironmentHasItsOwnDatabaseCacheSecretsAndUrlStagingTheSmallest() {
        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            Template template = stage == Stage.STAGING ? staging : environment;
            template.resourceCountIs("AWS::RDS::DBInstance", 1);
            template.resourceCountIs(stage == Stage.STAGING ? "AWS::ElastiCache::ReplicationGroup" : "AWS::MemoryDB::Cluster", 1);
            // The database password, the queue's password, the job API's caller's credentials.
            template.resourceCountIs("AWS::SecretsManager::Secret", 3);
            template.hasResourceProperties("AWS::RDS::DBInstance", Match.objectLike(Map.of(
                    "DBInstanceIdentifier", SETTINGS.resourceName(stage), "DBInstanceClass", "db." + stage.databaseClass())));
            template.hasResourceProperties("AWS::ElasticBeanstalk::Environment", Match.objectLike(Map.of(
                    "EnvironmentName", SETTINGS.resourceName(stage),
                    "OptionSettings", Match.arrayWith(List.of(
                            option("aws:ec2:instances", "InstanceTypes", stage.instanceType()),
                            option("aws:autoscaling:asg", "MaxSize", String.valueOf(stage.maxInstances())))))));
            template.hasOutput("ServiceUrl", Match.objectLike(Map.of("Export", Map.of("Name", SETTINGS.urlExport(stage)))));
        }
        assertTrue(Stage.STAGING.maxInstances() <= Stage.PRODUCTION.maxInstances()
                && Stage.STAGING.minInstances() <= Stage.PRODUCTION.minInstances(), "staging is bigger than production");
    }

    @Test
    void eachEnvironmentScalesOnCpuAndOnTheJobBacklogAndItsInstancesPublishTheJobFiguresToItsOwnNamespaceOnly() {
        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            Template template = stage == Stage.STAGING ? staging : environment;
            String namespace = SETTINGS.service() + "/" + stage.name();
            template.hasResourceProperties("AWS::ElasticBeanstalk::Environment", Match.objectLike(Map.of(
                    "OptionSettings", Match.arrayWith(List.of(
                            option("aws:autoscaling:trigger", "MeasureName", "CPUUtilization"),
                            option("aws:autoscaling:trigger", "UpperThreshold", "70"),
                            // Never below 0% CPU: scaling in is the bundle's, on queue and CPU together.
                            option("aws:autoscaling:trigger", "LowerThreshold", "0"),
                            // What .ebextensions/backlog-scaling.config reads (DeliveryFilesTest).
                            option("aws:elasticbeanstalk:customoption", "MetricsNamespace", namespace),
                            option("aws:elasticbeanstalk:customoption", "BacklogScaleOutSeconds",
                                    String.valueOf(EnvironmentStack.BACKLOG_SCALE_OUT_SECONDS)),
                            option("aws:elasticbeanstalk:application:environment", "METRICS_CLOUDWATCH_NAMESPACE", namespace))))));
            template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                    "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "Action", "cloudwatch:PutMetricData",
                            "Condition", Map.of("StringEquals", Map.of("cloudwatch:namespace", namespace)))))))))));
        }
    }

    @Test
    void httpsByCloudFrontThroughAVpcOriginRedirectsPlainHttpCachesNothingForwardsWhatTheServiceNeedsAndSendsHsts() {
        for (Template template : List.of(staging, environment)) {
            template.hasResourceProperties("AWS::CloudFront::Distribution", Match.objectLike(Map.of(
                    "DistributionConfig", Match.objectLike(Map.of(
                            "DefaultCacheBehavior", Match.objectLike(Map.of(
                                    "ViewerProtocolPolicy", "redirect-to-https",
                                    "AllowedMethods", List.of("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"),
                                    // The AWS managed policies CachingDisabled and AllViewerExceptHostHeader.
                                    "CachePolicyId", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                                    "OriginRequestPolicyId", "b689b0a8-53d0-40ab-baf2-68738e2966ac",
                                    "ResponseHeadersPolicyId", Match.anyValue())))))));
            // The origin is the internal load balancer, through a VPC origin; the Host it sends is the
            // environment's CNAME, which Elastic Beanstalk's rule on the shared load balancer matches.
            String balancer = template.findResources("AWS::ElasticLoadBalancingV2::LoadBalancer").keySet().iterator().next();
            template.hasResourceProperties("AWS::CloudFront::VpcOrigin", Match.objectLike(Map.of(
                    "VpcOriginEndpointConfig", Match.objectLike(Map.of(
                            "Arn", Map.of("Ref", balancer), "HTTPPort", 80, "OriginProtocolPolicy", "http-only")))));
            template.hasResourceProperties("AWS::CloudFront::Distribution", Match.objectLike(Map.of(
                    "DistributionConfig", Match.objectLike(Map.of("Origins", List.of(Match.objectLike(Map.of(
                            "VpcOriginConfig", Match.anyValue(),
                            "DomainName", Match.objectLike(Map.of("Fn::Join", List.of("", Match.arrayWith(
                                    List.of(".elasticbeanstalk.com")))))))))))));
            template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", Match.objectLike(Map.of(
                    "ResponseHeadersPolicyConfig", Match.objectLike(Map.of("SecurityHeadersConfig", Match.objectLike(Map.of(
                            "StrictTransportSecurity", Map.of("AccessControlMaxAgeSec", 31536000, "IncludeSubdomains", true,
                                    "Override", true))))))));
            template.hasOutput("ServiceUrl", Match.objectLike(Map.of("Value", Map.of("Fn::Join", List.of("",
                    List.of("https://", Map.of("Fn::GetAtt", List.of(
                            template.findResources("AWS::CloudFront::Distribution").keySet().iterator().next(), "DomainName")),
                            "/"))))));
        }
    }

    @Test
    void withADomainTheLoadBalancerServesHttpsWithACertificateAndNoListenerServesPlainHttp() throws IOException {
        DeliverySettings withDomain = new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE,
                "main", List.of(Stage.STAGING, Stage.PRODUCTION), new CustomDomain("api.acme.com", "Z0123456789ABC"));
        InfraApp app = checkedApp(withDomain);

        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            Template template = Template.fromStack(app.environment(stage));
            String host = stage == Stage.PRODUCTION ? "api.acme.com" : "staging.api.acme.com";
            template.hasResourceProperties("AWS::CertificateManager::Certificate", Map.of(
                    "DomainName", host, "ValidationMethod", "DNS",
                    "DomainValidationOptions", List.of(Map.of("DomainName", host, "HostedZoneId", "Z0123456789ABC"))));
            String certificate = template.findResources("AWS::CertificateManager::Certificate").keySet().iterator().next();
            String balancer = template.findResources("AWS::ElasticLoadBalancingV2::LoadBalancer").keySet().iterator().next();
            template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Match.objectLike(Map.of(
                    "Scheme", "internet-facing")));
            // 443 serves HTTPS with the certificate, TLS 1.3 and 1.2 only, and adds HSTS to every answer.
            template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.objectLike(Map.of(
                    "Port", 443, "Protocol", "HTTPS",
                    "Certificates", List.of(Map.of("CertificateArn", Map.of("Ref", certificate))),
                    "SslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "ListenerAttributes", List.of(Map.of("Key", "routing.http.response.strict_transport_security.header_value",
                            "Value", "max-age=31536000; includeSubDomains")))));
            // Elastic Beanstalk shares it, with a rule for the domain's host.
            template.hasResourceProperties("AWS::ElasticBeanstalk::Environment", Match.objectLike(Map.of(
                    "OptionSettings", Match.arrayWith(List.of(
                            option("aws:elasticbeanstalk:environment", "LoadBalancerIsShared", "true"),
                            Map.of("Namespace", "aws:elbv2:loadbalancer", "OptionName", "SharedLoadBalancer",
                                    "Value", Map.of("Ref", balancer)),
                            option("aws:elbv2:listenerrule:domain", "HostHeaders", host),
                            option("aws:elbv2:listener:443", "Rules", "default,domain"))))));
            template.hasResourceProperties("AWS::Route53::RecordSet", Map.of("Name", host + ".", "Type", "CNAME",
                    "HostedZoneId", "Z0123456789ABC", "TTL", "300",
                    "ResourceRecords", List.of(Map.of("Fn::GetAtt", List.of(balancer, "DNSName")))));
            template.hasOutput("ServiceUrl", Match.objectLike(Map.of("Value", "https://" + host + "/")));
            template.resourceCountIs("AWS::CloudFront::Distribution", 0);
            assertTrue(!template.toJSON().containsKey("Parameters")
                    || !((Map<?, ?>) template.toJSON().get("Parameters")).containsKey("CloudFrontPrefixList"),
                    "a CloudFront prefix list without CloudFront");
            assertNoListenerServesPlainHttp(template);
            assertEquals(List.of(), findings(app.environment(stage)));
        }
    }

    @Test
    void aListenerThatServesOnPort80FailsTheChecks() throws IOException {
        DeliverySettings withDomain = new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE,
                "main", List.of(Stage.PRODUCTION), new CustomDomain("api.acme.com", "Z0123456789ABC"));
        InfraApp broken = checkedApp(withDomain);
        // Port 80 answering itself instead of redirecting.
        CfnListener http = broken.environment(Stage.PRODUCTION).getNode().findAll().stream()
                .filter(c -> c instanceof CfnListener listener && Integer.valueOf(80).equals(listener.getPort()))
                .map(CfnListener.class::cast)
                .findFirst().orElseThrow();
        http.addPropertyOverride("DefaultActions", List.of(Map.of("Type", "fixed-response",
                "FixedResponseConfig", Map.of("StatusCode", "200", "MessageBody", "hello"))));

        Template template = Template.fromStack(broken.environment(Stage.PRODUCTION));

        AssertionError failure = assertThrows(AssertionError.class, () -> assertNoListenerServesPlainHttp(template));
        assertTrue(failure.getMessage().contains("port 80"), failure.getMessage());
    }

    @Test
    void withOneEnvironmentOnlyThePipelineDeploysProductionThenSmokeTestsIt() throws IOException {
        DeliverySettings one = new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE, "main",
                List.of(Stage.PRODUCTION));
        InfraApp app = checkedApp(one);
        Template onlyPipeline = Template.fromStack(app.pipeline());

        assertEquals(List.of(one.environmentStack(Stage.PRODUCTION)), app.environments().stream().map(Stack::getStackName).toList());
        onlyPipeline.hasResourceProperties("AWS::CodePipeline::Pipeline", Match.objectLike(Map.of("Stages", List.of(
                stage("Source", "CodeStarSourceConnection"),
                stage("Build", "CodeBuild"),
                stage("Production", "ElasticBeanstalk"),
                stage("SmokeTest", "CodeBuild")))));
        onlyPipeline.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Environment", Match.objectLike(Map.of("EnvironmentVariables", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Value", Map.of("Fn::ImportValue", one.urlExport(Stage.PRODUCTION)))))))))));
        assertEquals(List.of(), findings(app.pipeline()));
    }

    @Test
    void theDatabaseIsMysql84EncryptedPrivateWithAPasswordInSecretsManagerAndASnapshotOnDelete() {
        environment.hasResource("AWS::RDS::DBInstance", Match.objectLike(Map.of(
                "DeletionPolicy", "Snapshot",
                "UpdateReplacePolicy", "Snapshot",
                "Properties", Match.objectLike(Map.of(
                        "Engine", "mysql",
                        "EngineVersion", "8.4",
                        "StorageEncrypted", true,
                        "PubliclyAccessible", false,
                        "MasterUserPassword", Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of(
                                Match.stringLikeRegexp("\\{\\{resolve:secretsmanager:.*"))))))))))));
    }

    @Test
    void stagingsQueueIsOneValkeyNodeEncryptedInTransitAndAtRestWithAnAuthTokenAndItsDatabaseOneInstance() {
        staging.resourceCountIs("AWS::MemoryDB::Cluster", 0);
        staging.hasResourceProperties("AWS::RDS::DBInstance", Match.objectLike(Map.of("MultiAZ", false)));
        staging.hasResourceProperties("AWS::ElastiCache::ReplicationGroup", Match.objectLike(Map.of(
                "Engine", "valkey",
                "TransitEncryptionEnabled", true,
                "AtRestEncryptionEnabled", true,
                "AuthToken", Match.anyValue(),
                "NumCacheClusters", 1)));
    }

    @Test
    void onlyTheServiceReachesTheDatabaseAndTheCacheAndOnlyCloudFrontTheLoadBalancer() {
        for (Template template : List.of(staging, environment)) {
            List<Object> rules = new ArrayList<>();
            template.findResources("AWS::EC2::SecurityGroupIngress").values().forEach(rule -> rules.add(rule.get("Properties")));
            for (Map<String, Object> group : template.findResources("AWS::EC2::SecurityGroup").values()) {
                rules.addAll(list(((Map<?, ?>) group.get("Properties")).get("SecurityGroupIngress")));
            }
            List<Object> fromGroups = new ArrayList<>();
            List<Object> fromCloudFront = new ArrayList<>();
            for (Object rule : rules) {
                Map<?, ?> properties = (Map<?, ?>) rule;
                if (properties.containsKey("SourcePrefixListId")) {
                    assertEquals(Map.of("Ref", "CloudFrontPrefixList"), properties.get("SourcePrefixListId"), "another prefix list: " + rule);
                    fromCloudFront.add(properties.get("FromPort") + "-" + properties.get("ToPort"));
                } else {
                    assertTrue(properties.containsKey("SourceSecurityGroupId"), "ingress from anything but a security group"
                            + " or CloudFront: " + rule);
                    fromGroups.add(properties.get("FromPort"));
                }
            }
            // MySQL and Valkey from the instances, the instances' port 80 from the load balancer.
            assertEquals(List.of(80, 3306, 6379), fromGroups.stream().map(Integer.class::cast).sorted().toList());
            assertEquals(List.of("80-80"), fromCloudFront, "the load balancer takes more than HTTP from CloudFront");
            String group = template.findResources("AWS::EC2::SecurityGroup", Match.objectLike(Map.of("Properties",
                    Match.objectLike(Map.of("GroupDescription", "The load balancer: HTTP from CloudFront only")))))
                    .keySet().iterator().next();
            Object groupId = Map.of("Fn::GetAtt", List.of(group, "GroupId"));
            // The load balancer has no public face: internal, in isolated subnets (no route out), that group only.
            template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Match.objectLike(Map.of(
                    "Scheme", "internal", "SecurityGroups", List.of(groupId))));
            Map<?, ?> balancer = (Map<?, ?>) template.findResources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
                    .iterator().next().get("Properties");
            for (Object subnet : list(balancer.get("Subnets"))) {
                String name = String.valueOf(((Map<?, ?>) subnet).get("Ref"));
                assertTrue(name.startsWith("NetworkBalancerSubnet"), "the load balancer is in another subnet: " + name);
            }
            template.hasResourceProperties("AWS::ElasticBeanstalk::Environment", Match.objectLike(Map.of(
                    "OptionSettings", Match.arrayWith(List.of(
                            option("aws:elasticbeanstalk:environment", "LoadBalancerIsShared", "true"),
                            option("aws:elbv2:listener:80", "Rules", "default"))))));
            template.hasParameter("CloudFrontPrefixList", Match.objectLike(Map.of("AllowedPattern", "pl-[0-9a-f]+")));
        }
    }

    @Test
    void everySecurityGroupDescriptionIsOneEc2Accepts() {
        for (Template template : List.of(staging, environment)) {
            for (Map<String, Object> group : template.findResources("AWS::EC2::SecurityGroup").values()) {
                String description = String.valueOf(((Map<?, ?>) group.get("Properties")).get("GroupDescription"));
                // EC2's rule for GroupDescription: no apostrophe, for one.
                assertTrue(description.matches("[a-zA-Z0-9. _\\-:/()#,@\\[\\]+=&;{}!$*]*"), "EC2 refuses: " + description);
            }
        }
    }

    @Test
    void theEnvironmentRunsDockerOnAl2023BehindAHealthCheckedLoadBalancerWithRollingDeploys() {
        environment.hasParameter("PlatformArn", Match.objectLike(Map.of("Default", Match.objectLike(Map.of(
                "Fn::Sub", Match.stringLikeRegexp(".*Docker running on 64bit Amazon Linux 2023/.*"))))));
        environment.hasResourceProperties("AWS::ElasticBeanstalk::Environment", Match.objectLike(Map.of(
                // arrayWith keeps the order of the settings in the template.
                "OptionSettings", Match.arrayWith(List.of(
                        option("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true"),
                        option("aws:elasticbeanstalk:environment", "LoadBalancerType", "application"),
                        option("aws:elasticbeanstalk:environment:process:default", "HealthCheckPath", "/health/readiness"),
                        option("aws:elasticbeanstalk:command", "DeploymentPolicy", "Rolling"),
                        option("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"),
                        Match.objectLike(Map.of("Namespace", "aws:elasticbeanstalk:application:environmentsecrets",
                                "OptionName", "DB_PASSWORD")),
                        Match.objectLike(Map.of("Namespace", "aws:elasticbeanstalk:application:environmentsecrets",
                                "OptionName", "REDIS_PASSWORD")))))));
    }

    @Test
    void everyPolicyIsNarrow() {
        for (Template template : List.of(pipeline, staging, environment)) {
            for (Map<String, Object> statement : statements(template)) {
                List<Object> actions = list(statement.get("Action"));
                for (Object action : actions) {
                    assertTrue(!action.equals("*") && !String.valueOf(action).endsWith(":*"), "a wildcard action: " + statement);
                }
                if (list(statement.get("Resource")).contains("*") && actions.equals(List.of("cloudwatch:PutMetricData"))) {
                    // PutMetricData names no resource: a namespace condition is what narrows it.
                    assertTrue(statement.get("Condition") instanceof Map<?, ?> condition
                            && condition.get("StringEquals") instanceof Map<?, ?> equals
                            && equals.containsKey("cloudwatch:namespace"), "metrics to any namespace: " + statement);
                } else if (list(statement.get("Resource")).contains("*")) {
                    assertTrue(ACTIONS_ON_ANY_RESOURCE.containsAll(actions), "actions on any resource: " + statement);
                }
            }
            for (Map<String, Object> role : template.findResources("AWS::IAM::Role").values()) {
                Object managed = ((Map<?, ?>) role.get("Properties")).get("ManagedPolicyArns");
                for (Object arn : list(managed)) {
                    String name = String.valueOf(arn).replaceAll(".*:policy/([^\"'}\\]]+).*", "$1");
                    assertTrue(MANAGED_POLICIES.contains(name), "an AWS managed policy not accounted for: " + arn);
                }
            }
        }
    }

    @Test
    void productionKeepsWhatItAcceptedInAMultiAzMemoryDbQueueStoreAndAMultiAzDatabase() {
        assertKeepsWhatItAccepted(environment);
        environment.resourceCountIs("AWS::ElastiCache::ReplicationGroup", 0);
        environment.hasResourceProperties("AWS::MemoryDB::Cluster", Match.objectLike(Map.of(
                "Engine", "valkey",
                "NodeType", Stage.PRODUCTION.queueNodeType(),
                "SnapshotRetentionLimit", 7)));
        // The service's user has the generated password, from Secrets Manager; nobody gets in without one.
        environment.hasResourceProperties("AWS::MemoryDB::User", Match.objectLike(Map.of(
                "UserName", SETTINGS.resourceName(Stage.PRODUCTION) + "-app",
                "AuthenticationMode", Map.of("Type", "password", "Passwords", List.of(
                        Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of(
                                Match.stringLikeRegexp("\\{\\{resolve:secretsmanager:.*"))))))))))));
        // MemoryDB is always a cluster: the service is told so, and which user it is.
        environment.hasResourceProperties("AWS::ElasticBeanstalk::Environment", Match.objectLike(Map.of(
                "OptionSettings", Match.arrayWith(List.of(
                        option("aws:elasticbeanstalk:application:environment", "REDIS_CLUSTER", "true"),
                        option("aws:elasticbeanstalk:application:environment", "REDIS_USERNAME",
                                SETTINGS.resourceName(Stage.PRODUCTION) + "-app"))))));
    }

    @Test
    void aProductionOnOneCacheNodeOrOneDatabaseInstanceFailsTheChecks() throws IOException {
        Stage cheap = new Stage("production", "t3.small", 1, 2, "t4g.micro", 20, false,
                Stage.QueueStore.SINGLE_CACHE_NODE, "cache.t4g.micro", 10);
        EnvironmentStack broken = new EnvironmentStack(new software.amazon.awscdk.App(software.amazon.awscdk.AppProps.builder()
                .outdir(Files.createTempDirectory("cdk.out").toString()).build()), "broken",
                software.amazon.awscdk.StackProps.builder().build(), SETTINGS, cheap);

        AssertionError failure = assertThrows(AssertionError.class, () -> assertKeepsWhatItAccepted(Template.fromStack(broken)));
        assertTrue(failure.getMessage().contains("MemoryDB"), failure.getMessage());
    }

    @Test
    void eachEnvironmentTrustsTokensOfItsOwnCognitoPoolWhoseOneMachineClientHasTheJobScopesAndASecretInSecretsManager() {
        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            Template template = stage == Stage.STAGING ? staging : environment;
            template.resourceCountIs("AWS::Cognito::UserPool", 1);
            template.hasResourceProperties("AWS::Cognito::UserPool", Match.objectLike(Map.of(
                    "UserPoolName", SETTINGS.resourceName(stage) + "-callers",
                    "AdminCreateUserConfig", Map.of("AllowAdminCreateUserOnly", true))));
            template.hasResourceProperties("AWS::Cognito::UserPoolResourceServer", Match.objectLike(Map.of(
                    "Identifier", SETTINGS.service(),
                    "Scopes", List.of(
                            Map.of("ScopeName", "jobs:read", "ScopeDescription", "Read one's own jobs"),
                            Map.of("ScopeName", "jobs:write", "ScopeDescription", "Queue jobs")))));
            // One client, for machines: client credentials and nothing else, a secret, the two scopes.
            template.resourceCountIs("AWS::Cognito::UserPoolClient", 1);
            template.hasResourceProperties("AWS::Cognito::UserPoolClient", Match.objectLike(Map.of(
                    "GenerateSecret", true,
                    "AllowedOAuthFlows", List.of("client_credentials"),
                    "AllowedOAuthFlowsUserPoolClient", true,
                    "ExplicitAuthFlows", List.of("ALLOW_REFRESH_TOKEN_AUTH"),
                    "AllowedOAuthScopes", List.of(SETTINGS.service() + "/jobs:read", SETTINGS.service() + "/jobs:write"))));
            String client = template.findResources("AWS::Cognito::UserPoolClient").keySet().iterator().next();
            template.hasResourceProperties("AWS::SecretsManager::Secret", Match.objectLike(Map.of(
                    "SecretString", Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(Match.arrayWith(List.of(
                            Map.of("Fn::GetAtt", List.of(client, "ClientSecret")))))))))));
            // The service checks the pool's tokens: issuer, keys, the client's id in place of an audience.
            String pool = template.findResources("AWS::Cognito::UserPool").keySet().iterator().next();
            Map<String, Object> settings = environmentOptions(template, "aws:elasticbeanstalk:application:environment");
            assertEquals(Map.of("Ref", client), settings.get("AUTH_AUDIENCES"));
            assertEquals(SETTINGS.service() + "/", settings.get("AUTH_SCOPE_PREFIX"));
            // iss is https://cognito-idp.<region>.amazonaws.com/<pool id>; the keys are under it.
            assertEquals(Map.of("Fn::Join", List.of("", List.of("https://cognito-idp.", Map.of("Ref", "AWS::Region"),
                    ".amazonaws.com/", Map.of("Ref", pool)))), settings.get("AUTH_ISSUER"));
            assertEquals(Map.of("Fn::Join", List.of("", List.of("https://cognito-idp.", Map.of("Ref", "AWS::Region"),
                    ".amazonaws.com/", Map.of("Ref", pool), "/.well-known/jwks.json"))), settings.get("AUTH_JWKS_URL"));
            template.hasOutput("TokenUrl", Match.anyValue());
            template.hasOutput("CallerSecret", Match.anyValue());
        }
    }

    @Test
    void everyAlarmOfEachEnvironmentNotifiesItsOwnTopicWhenItGoesOffAndWhenItRecoversAndTheDashboardShowsThem() {
        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            Template template = stage == Stage.STAGING ? staging : environment;
            assertEveryAlarmNotifiesTheTopic(template);
            List<String> names = template.findResources("AWS::CloudWatch::Alarm").values().stream()
                    .map(alarm -> String.valueOf(((Map<?, ?>) alarm.get("Properties")).get("AlarmName"))).sorted().toList();
            List<String> expected = new ArrayList<>(List.of("DatabaseConnections", "DatabaseCpu", "DatabaseStorage",
                    "ErrorRate", "JobStoreDataLost", "JobsDeadLettered", "JobsWaitTooLong", "NoWorker", "QueueMemory",
                    "SlowAnswers", "Unhealthy"));
            if (stage == Stage.STAGING) {
                expected.add("QueueEvictions"); // ElastiCache evicts; MemoryDB refuses writes instead
            }
            assertEquals(expected.stream().map(name -> SETTINGS.resourceName(stage) + "-" + name).sorted().toList(), names);
            // The topic is encrypted with a key that CloudWatch may use (the AWS-managed one would drop alarms).
            template.hasResourceProperties("AWS::SNS::Topic", Match.objectLike(Map.of(
                    "TopicName", SETTINGS.resourceName(stage) + "-alarms", "KmsMasterKeyId", Match.anyValue())));
            template.hasResourceProperties("AWS::KMS::Key", Match.objectLike(Map.of("KeyPolicy", Match.objectLike(Map.of(
                    "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                            "Action", List.of("kms:Decrypt", "kms:GenerateDataKey*"))))))))));
            template.resourceCountIs("AWS::SNS::Subscription", 0);
            template.hasResourceProperties("AWS::CloudWatch::Dashboard", Match.objectLike(Map.of(
                    "DashboardName", SETTINGS.resourceName(stage))));
            template.hasOutput("DashboardUrl", Match.anyValue());

            // The jobs' alarms read the figures the service publishes to the environment's own namespace.
            String namespace = SETTINGS.service() + "/" + stage.name();
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "AlarmName", SETTINGS.resourceName(stage) + "-JobsDeadLettered", "Namespace", namespace,
                    "MetricName", ServiceMetrics.DEAD_LETTERED, "Statistic", "Sum", "Threshold", 0,
                    "ComparisonOperator", "GreaterThanThreshold")));
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "AlarmName", SETTINGS.resourceName(stage) + "-JobsWaitTooLong", "Namespace", namespace,
                    "MetricName", ServiceMetrics.OLDEST_WAITING_AGE, "Statistic", "Maximum",
                    "Threshold", stage.jobWaitAlarmMinutes() * 60)));
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "AlarmName", SETTINGS.resourceName(stage) + "-JobStoreDataLost", "Namespace", namespace,
                    "MetricName", ServiceMetrics.STORE_DATA_LOSSES, "Statistic", "Sum", "Threshold", 0,
                    "ComparisonOperator", "GreaterThanThreshold")));
            // No figure from any worker is no worker: missing data breaches.
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "AlarmName", SETTINGS.resourceName(stage) + "-NoWorker", "Namespace", namespace,
                    "MetricName", ServiceMetrics.WORKERS, "Threshold", 1,
                    "ComparisonOperator", "LessThanThreshold", "TreatMissingData", "breaching")));
        }
        // The queue store's figures are its own: ElastiCache's node in staging, MemoryDB's cluster in production.
        staging.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Namespace", "AWS/ElastiCache", "MetricName", "Evictions")));
        environment.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Namespace", "AWS/MemoryDB", "MetricName", "DatabaseMemoryUsagePercentage",
                "Dimensions", List.of(Map.of("Name", "ClusterName", "Value", SETTINGS.resourceName(Stage.PRODUCTION))))));
    }

    @Test
    void withAlarmEmailEachEnvironmentsTopicMailsIt() throws IOException {
        InfraApp app = checkedApp(SETTINGS.withAlarmEmail("oncall@acme.example"));

        for (Stage stage : List.of(Stage.STAGING, Stage.PRODUCTION)) {
            Template.fromStack(app.environment(stage)).hasResourceProperties("AWS::SNS::Subscription", Map.of(
                    "Protocol", "email", "Endpoint", "oncall@acme.example", "TopicArn", Match.anyValue()));
        }
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> SETTINGS.withAlarmEmail("oncall at acme"));
        assertEquals("ALARM_EMAIL is 'oncall at acme': set it to one e-mail address (name@example.com), or leave it unset.",
                wrong.getMessage());
    }

    @Test
    void anAlarmThatNotifiesNobodyFailsTheChecks() throws IOException {
        InfraApp broken = checkedApp(SETTINGS);
        software.amazon.awscdk.services.cloudwatch.Alarm.Builder.create(broken.environment(Stage.PRODUCTION), "Silent")
                .metric(software.amazon.awscdk.services.cloudwatch.Metric.Builder.create()
                        .namespace("AWS/RDS").metricName("ReadLatency").build())
                .threshold(1).evaluationPeriods(1).build();

        Template template = Template.fromStack(broken.environment(Stage.PRODUCTION));

        AssertionError failure = assertThrows(AssertionError.class, () -> assertEveryAlarmNotifiesTheTopic(template));
        assertTrue(failure.getMessage().contains("Silent"), failure.getMessage());
    }

    @Test
    void cdkNagFindsNothingUnsuppressed() throws IOException {
        InfraApp app = checkedApp(SETTINGS);

        assertEquals(List.of(), findings(app.pipeline()));
        assertEquals(List.of(), findings(app.environment(Stage.STAGING)));
        assertEquals(List.of(), findings(app.environment(Stage.PRODUCTION)));
    }

    @Test
    void aPublicUnencryptedDatabaseFailsTheChecks() throws IOException {
        InfraApp broken = checkedApp(SETTINGS);
        CfnDBInstance database = (CfnDBInstance) broken.environment(Stage.PRODUCTION).getNode().findChild("Database").getNode().getDefaultChild();
        database.setPubliclyAccessible(true);
        database.setStorageEncrypted(false);

        Template template = Template.fromStack(broken.environment(Stage.PRODUCTION));

        assertThrows(Throwable.class, () -> template.hasResourceProperties("AWS::RDS::DBInstance",
                Match.objectLike(Map.of("PubliclyAccessible", false))));
        assertTrue(findings(broken.environment(Stage.PRODUCTION)).stream().anyMatch(finding -> finding.contains("AwsSolutions-RDS2")),
                "cdk-nag let an unencrypted database through: " + findings(broken.environment(Stage.PRODUCTION)));
    }

    /**
     * What production must have so that nothing it answered 202 or committed is lost with a node or a
     * zone: the queue in MemoryDB (a Multi-AZ transaction log) with a replica, TLS and a user's password
     * (never the open-access ACL), and a Multi-AZ database.
     */
    private static void assertKeepsWhatItAccepted(Template template) {
        Map<String, Map<String, Object>> stores = template.findResources("AWS::MemoryDB::Cluster");
        assertEquals(1, stores.size(), "the job queue is not in one MemoryDB cluster: " + stores.keySet());
        Map<?, ?> store = (Map<?, ?>) stores.values().iterator().next().get("Properties");
        assertTrue(((Number) store.get("NumReplicasPerShard")).intValue() >= 1, "MemoryDB without a replica: " + store);
        assertEquals(true, store.get("TLSEnabled"), "MemoryDB without TLS: " + store);
        assertTrue(!"open-access".equals(store.get("ACLName")), "MemoryDB open to anyone in the VPC: " + store);
        template.hasResourceProperties("AWS::RDS::DBInstance", Match.objectLike(Map.of("MultiAZ", true)));
    }

    /** Every alarm of the stack tells the environment's topic when it goes off and when it recovers. */
    private static void assertEveryAlarmNotifiesTheTopic(Template template) {
        Map<String, Map<String, Object>> topics = template.findResources("AWS::SNS::Topic");
        assertEquals(1, topics.size(), "not one alarm topic: " + topics.keySet());
        List<Object> topic = List.of(Map.of("Ref", topics.keySet().iterator().next()));
        Map<String, Map<String, Object>> alarms = template.findResources("AWS::CloudWatch::Alarm");
        assertTrue(!alarms.isEmpty(), "no alarm");
        alarms.forEach((id, alarm) -> {
            Map<?, ?> properties = (Map<?, ?>) alarm.get("Properties");
            assertEquals(topic, properties.get("AlarmActions"), id + " does not notify the topic when it goes off");
            assertEquals(topic, properties.get("OKActions"), id + " does not notify the topic when it recovers");
        });
    }

    /** The environment's option settings of one namespace, by name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> environmentOptions(Template template, String namespace) {
        Map<String, Object> options = new java.util.TreeMap<>();
        Map<String, Object> environment = template.findResources("AWS::ElasticBeanstalk::Environment").values().iterator().next();
        for (Object option : list(((Map<String, Object>) environment.get("Properties")).get("OptionSettings"))) {
            Map<String, Object> setting = (Map<String, Object>) option;
            if (namespace.equals(setting.get("Namespace"))) {
                options.put(String.valueOf(setting.get("OptionName")), setting.get("Value"));
            }
        }
        return options;
    }

    /**
     * The pipeline's stages are exactly Source, Build, Staging, SmokeTest, Approval, Production;
     * staging and production deploy the Build stage's own bundle, each to its own environment; the
     * smoke test is a CodeBuild test action; the approval is a manual one.
     */
    private static void assertStagingSmokeTestApprovalThenTheSameBundleToProduction(Template template) {
        List<String> names = stages(template).stream().map(stage -> String.valueOf(stage.get("Name"))).toList();
        assertEquals(STAGES, names, "the pipeline's stages, in order (Production must come after Approval)");
        Map<String, Object> build = action(template, "Build");
        String bundle = String.valueOf(((Map<?, ?>) list(build.get("OutputArtifacts")).get(0)).get("Name"));
        for (String deploy : List.of("Staging", "Production")) {
            Map<String, Object> action = action(template, deploy);
            assertEquals("Deploy", ((Map<?, ?>) action.get("ActionTypeId")).get("Category"), deploy + ": " + action);
            assertEquals(List.of(Map.of("Name", bundle)), action.get("InputArtifacts"), deploy + " does not deploy the build's bundle");
            Stage stage = deploy.equals("Staging") ? Stage.STAGING : Stage.PRODUCTION;
            assertEquals(SETTINGS.resourceName(stage), ((Map<?, ?>) action.get("Configuration")).get("EnvironmentName"),
                    deploy + " deploys to another environment");
        }
        assertEquals(Map.of("Category", "Test", "Owner", "AWS", "Provider", "CodeBuild", "Version", "1"),
                action(template, "SmokeTest").get("ActionTypeId"));
        assertEquals(Map.of("Category", "Approval", "Owner", "AWS", "Provider", "Manual", "Version", "1"),
                action(template, "Approval").get("ActionTypeId"));
    }

    /**
     * Every listener of the environment's load balancer serves HTTPS, or only redirects to it; and
     * Elastic Beanstalk is not asked for a listener of its own (it makes none on a shared load
     * balancer, but an option left over would say otherwise).
     */
    private static void assertNoListenerServesPlainHttp(Template template) {
        Map<String, Map<String, Object>> listeners = template.findResources("AWS::ElasticLoadBalancingV2::Listener");
        assertTrue(!listeners.isEmpty(), "no listener");
        for (Map<String, Object> listener : listeners.values()) {
            Map<?, ?> properties = (Map<?, ?>) listener.get("Properties");
            if ("HTTPS".equals(properties.get("Protocol"))) {
                continue;
            }
            List<Object> actions = list(properties.get("DefaultActions"));
            boolean redirects = actions.size() == 1 && "redirect".equals(((Map<?, ?>) actions.get(0)).get("Type"))
                    && "HTTPS".equals(((Map<?, ?>) ((Map<?, ?>) actions.get(0)).get("RedirectConfig")).get("Protocol"));
            assertTrue(redirects, "port " + properties.get("Port") + " serves plain HTTP: " + properties);
        }
        for (Object option : list(((Map<?, ?>) template.findResources("AWS::ElasticBeanstalk::Environment").values()
                .iterator().next().get("Properties")).get("OptionSettings"))) {
            Map<?, ?> setting = (Map<?, ?>) option;
            assertTrue(!"ListenerEnabled".equals(setting.get("OptionName")) && !"Protocol".equals(setting.get("OptionName")),
                    "Elastic Beanstalk is asked for a listener: " + setting);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> stages(Template template) {
        Map<String, Object> properties = (Map<String, Object>) template.findResources("AWS::CodePipeline::Pipeline")
                .values().iterator().next().get("Properties");
        return (List<Map<String, Object>>) properties.get("Stages");
    }

    /** The one action of the stage named {@code stage}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> action(Template template, String stage) {
        Map<String, Object> found = stages(template).stream().filter(s -> stage.equals(s.get("Name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + stage));
        List<Object> actions = list(found.get("Actions"));
        assertEquals(1, actions.size(), stage + " has more than one action");
        return (Map<String, Object>) actions.get(0);
    }

    /** A fresh app with cdk-nag's AWS Solutions rules applied to every stack. */
    private static InfraApp checkedApp(DeliverySettings settings) throws IOException {
        InfraApp app = new InfraApp(settings, Files.createTempDirectory("cdk.out").toString());
        Aspects.of(app.pipeline()).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        for (Stack environment : app.environments()) {
            Aspects.of(environment).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        }
        return app;
    }

    /** cdk-nag's unsuppressed findings, errors and warnings, as "path: rule". */
    private static List<String> findings(Stack stack) {
        List<String> findings = new ArrayList<>();
        Annotations annotations = Annotations.fromStack(stack);
        annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                .forEach(message -> findings.add(message.getId() + ": " + String.valueOf(message.getEntry().getData()).split(":")[0]));
        annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                .forEach(message -> findings.add(message.getId() + ": " + String.valueOf(message.getEntry().getData()).split(":")[0]));
        return findings;
    }

    private static Object stage(String name, String provider) {
        return Match.objectLike(Map.of("Name", name, "Actions", List.of(Match.objectLike(Map.of(
                "ActionTypeId", Match.objectLike(Map.of("Provider", provider)))))));
    }

    private static Object option(String namespace, String name, String value) {
        return Map.of("Namespace", namespace, "OptionName", name, "Value", value);
    }

    /** Every statement of every IAM policy in the template, inline or standalone. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Template template) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Map<String, Object> policy : template.findResources("AWS::IAM::Policy").values()) {
            Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) policy.get("Properties")).get("PolicyDocument");
            statements.addAll((List<Map<String, Object>>) document.get("Statement"));
        }
        for (Map<String, Object> role : template.findResources("AWS::IAM::Role").values()) {
            Object inline = ((Map<String, Object>) role.get("Properties")).get("Policies");
            for (Object policy : list(inline)) {
                Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) policy).get("PolicyDocument");
                statements.addAll((List<Map<String, Object>>) document.get("Statement"));
            }
        }
        assertTrue(!statements.isEmpty(), "no IAM statements found");
        return statements;
    }

    private static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> values ? new ArrayList<>(values) : List.of(value);
    }
}
