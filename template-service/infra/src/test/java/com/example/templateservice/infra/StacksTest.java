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
 * The two stacks, synthesized offline: what matters about them asserted on their templates, and
 * cdk-nag's AWS Solutions rules with no finding left unsuppressed. A deliberately broken copy (a
 * public, unencrypted database) must fail those same checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StacksTest {

    private static final DeliverySettings SETTINGS =
            new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE, "main");
    /** The only actions allowed on resource "*", each because AWS offers nothing narrower. */
    private static final Set<String> ACTIONS_ON_ANY_RESOURCE = Set.of("ecr:GetAuthorizationToken");
    /** The only AWS managed policies attached, each named in a cdk-nag suppression with its reason. */
    private static final Set<String> MANAGED_POLICIES = Set.of("AWSElasticBeanstalkWebTier",
            "service-role/AWSElasticBeanstalkEnhancedHealth", "AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
            "AdministratorAccess-AWSElasticBeanstalk");

    private Template pipeline;
    private Template environment;

    @BeforeAll
    void synthesize() throws IOException {
        InfraApp app = checkedApp();
        pipeline = Template.fromStack(app.pipeline());
        environment = Template.fromStack(app.environment());
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
    void thePipelineIsV2QueuedAndGoesFromGitHubThroughCodeBuildToElasticBeanstalk() {
        pipeline.hasResourceProperties("AWS::CodePipeline::Pipeline", Match.objectLike(Map.of(
                "PipelineType", "V2",
                "ExecutionMode", "QUEUED",
                "Stages", List.of(
                        stage("Source", "CodeStarSourceConnection"),
                        stage("Build", "CodeBuild"),
                        stage("Deploy", "ElasticBeanstalk")))));
        pipeline.hasResourceProperties("AWS::CodeConnections::Connection", Map.of(
                "ConnectionName", SETTINGS.connectionName(), "ProviderType", "GitHub"));
        pipeline.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Environment", Match.objectLike(Map.of("PrivilegedMode", true)),
                "Source", Match.objectLike(Map.of("Type", "CODEPIPELINE", "BuildSpec", "buildspec.yml")))));
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
    void theCacheIsValkeyEncryptedInTransitAndAtRestWithAnAuthToken() {
        environment.hasResourceProperties("AWS::ElastiCache::ReplicationGroup", Match.objectLike(Map.of(
                "Engine", "valkey",
                "TransitEncryptionEnabled", true,
                "AtRestEncryptionEnabled", true,
                "AuthToken", Match.anyValue(),
                "NumCacheClusters", 1)));
    }

    @Test
    void onlyTheServiceReachesTheDatabaseAndTheCache() {
        List<Object> rules = new ArrayList<>();
        environment.findResources("AWS::EC2::SecurityGroupIngress").values().forEach(rule -> rules.add(rule.get("Properties")));
        for (Map<String, Object> group : environment.findResources("AWS::EC2::SecurityGroup").values()) {
            rules.addAll(list(((Map<?, ?>) group.get("Properties")).get("SecurityGroupIngress")));
        }
        List<Object> ports = new ArrayList<>();
        for (Object rule : rules) {
            Map<?, ?> properties = (Map<?, ?>) rule;
            assertTrue(properties.containsKey("SourceSecurityGroupId"), "ingress from anything but a security group: " + rule);
            ports.add(properties.get("FromPort"));
        }
        assertEquals(List.of(3306, 6379), ports.stream().map(Integer.class::cast).sorted().toList());
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
        for (Template template : List.of(pipeline, environment)) {
            for (Map<String, Object> statement : statements(template)) {
                List<Object> actions = list(statement.get("Action"));
                for (Object action : actions) {
                    assertTrue(!action.equals("*") && !String.valueOf(action).endsWith(":*"), "a wildcard action: " + statement);
                }
                if (list(statement.get("Resource")).contains("*")) {
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
    void cdkNagFindsNothingUnsuppressed() throws IOException {
        InfraApp app = checkedApp();

        assertEquals(List.of(), findings(app.pipeline()));
        assertEquals(List.of(), findings(app.environment()));
    }

    @Test
    void aPublicUnencryptedDatabaseFailsTheChecks() throws IOException {
        InfraApp broken = checkedApp();
        CfnDBInstance database = (CfnDBInstance) broken.environment().getNode().findChild("Database").getNode().getDefaultChild();
        database.setPubliclyAccessible(true);
        database.setStorageEncrypted(false);

        Template template = Template.fromStack(broken.environment());

        assertThrows(Throwable.class, () -> template.hasResourceProperties("AWS::RDS::DBInstance",
                Match.objectLike(Map.of("PubliclyAccessible", false))));
        assertTrue(findings(broken.environment()).stream().anyMatch(finding -> finding.contains("AwsSolutions-RDS2")),
                "cdk-nag let an unencrypted database through: " + findings(broken.environment()));
    }

    /** A fresh app with cdk-nag's AWS Solutions rules applied to both stacks. */
    private static InfraApp checkedApp() throws IOException {
        InfraApp app = new InfraApp(SETTINGS, Files.createTempDirectory("cdk.out").toString());
        Aspects.of(app.pipeline()).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        Aspects.of(app.environment()).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
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
