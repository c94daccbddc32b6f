package com.example.templateservice.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariableType;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.Cache;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LocalCacheMode;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.codeconnections.CfnConnection;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.StageProps;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildActionType;
import software.amazon.awscdk.services.codepipeline.actions.ManualApprovalAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeStarConnectionsSourceAction;
import software.amazon.awscdk.services.codepipeline.actions.ElasticBeanstalkDeployAction;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The way from a push to production: the GitHub connection, the image repository, the build that
 * tests the service and pushes its image (buildspec.yml), and the pipeline that deploys the bundle to
 * the Elastic Beanstalk environments of {@link EnvironmentStack}: staging, a smoke test of it, a
 * person's approval, then production.
 *
 * <pre>push -> Source (GitHub) -> Build (CodeBuild: tests, image, push, bundle pinned by digest)
 *      -> Staging (deploy the bundle) -> SmokeTest (deploy/smoke-test.sh against staging's URL)
 *      -> Approval (a person; an SNS topic tells) -> Production (deploy the very same bundle)</pre>
 *
 * With one environment only (ENVIRONMENTS=production) it is Build -> Production -> SmokeTest.
 */
public class PipelineStack extends Stack {

    /** How many images the repository keeps: enough to roll back, few enough to cost little. */
    static final int IMAGES_KEPT = 20;

    public PipelineStack(Construct scope, String id, StackProps props, DeliverySettings settings) {
        super(scope, id, props);

        Repository images = Repository.Builder.create(this, "Images")
                .repositoryName(settings.resourceName())
                .imageScanOnPush(true)
                // Tags are commit ids: one image per commit, never overwritten.
                .imageTagMutability(TagMutability.IMMUTABLE)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .description("Keep the newest " + IMAGES_KEPT + " images")
                        .maxImageCount(IMAGES_KEPT)
                        .build()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .emptyOnDelete(true)
                .build();

        Bucket artifacts = Bucket.Builder.create(this, "Artifacts")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(List.of(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .expiration(Duration.days(30))
                        .noncurrentVersionExpiration(Duration.days(1))
                        .build()))
                // infra/deploy down empties it first; a bucket with objects cannot be deleted.
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        // Created PENDING: someone must confirm it once in the console (infra/deploy up says how).
        CfnConnection gitHub = CfnConnection.Builder.create(this, "GitHub")
                .connectionName(settings.connectionName())
                .providerType("GitHub")
                .build();

        LogGroup buildLogs = LogGroup.Builder.create(this, "BuildLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        LogGroup smokeTestLogs = LogGroup.Builder.create(this, "SmokeTestLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        String bucketObjects = artifacts.getBucketArn() + "/*";

        // Every role is written out here, and closed to the CDK's own grants (withoutPolicyUpdates),
        // so that each can do what its step needs and nothing more.
        Role buildRole = Role.Builder.create(this, "BuildRole")
                .description("CodeBuild: tests " + settings.service() + " and pushes its image")
                .assumedBy(new ServicePrincipal("codebuild.amazonaws.com"))
                .build();
        allow(buildRole, "BuildLogs", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                // A log stream's ARN is its group's ARN followed by :log-stream:<name>.
                List.of(buildLogs.getLogGroupArn()));
        allow(buildRole, "BuildArtifacts", List.of("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"),
                List.of(bucketObjects));
        allow(buildRole, "BuildArtifactBucket", List.of("s3:GetBucketAcl", "s3:GetBucketLocation"),
                List.of(artifacts.getBucketArn()));
        allow(buildRole, "PushImage", List.of("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                "ecr:UploadLayerPart"), List.of(images.getRepositoryArn()));
        // AWS requires "*" here: an authorization token is not tied to a repository.
        allow(buildRole, "RegistryLogin", List.of("ecr:GetAuthorizationToken"), List.of("*"));
        Map<String, BuildEnvironmentVariable> buildVariables = new TreeMap<>(Map.of("REPOSITORY_NAME",
                variable(images.getRepositoryName())));
        if (settings.mavenRepository() != null) {
            // The runtime library comes from the team's Maven repository (.mvn/settings.xml reads the URL);
            // a CodeArtifact one also needs a token, which buildspec.yml gets with these rights.
            buildVariables.put("MAVEN_REPOSITORY_URL", variable(settings.mavenRepository().url()));
            settings.mavenRepository().codeArtifact().ifPresent(codeArtifact -> {
                buildVariables.put("CODEARTIFACT_DOMAIN", variable(codeArtifact.domain()));
                buildVariables.put("CODEARTIFACT_DOMAIN_OWNER", variable(codeArtifact.owner()));
                String arn = "arn:aws:codeartifact:" + codeArtifact.region() + ":" + codeArtifact.owner() + ":";
                allow(buildRole, "RuntimeLibraryToken", List.of("codeartifact:GetAuthorizationToken"),
                        List.of(arn + "domain/" + codeArtifact.domain()));
                allow(buildRole, "RuntimeLibraryRead", List.of("codeartifact:ReadFromRepository"),
                        List.of(arn + "repository/" + codeArtifact.domain() + "/" + codeArtifact.repository()));
                // CodeArtifact's token is an STS bearer token; AWS requires "*" here, narrowed to CodeArtifact.
                Policy.Builder.create(buildRole, "RuntimeLibraryBearerToken").roles(List.of(buildRole))
                        .statements(List.of(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("sts:GetServiceBearerToken")).resources(List.of("*"))
                                .conditions(Map.of("StringEquals", Map.of("sts:AWSServiceName", "codeartifact.amazonaws.com")))
                                .build()))
                        .build();
            });
        }

        PipelineProject build = PipelineProject.Builder.create(this, "Build")
                .projectName(settings.resourceName())
                .description("Tests " + settings.service() + ", builds and pushes its image, writes the deploy bundle")
                .role(buildRole.withoutPolicyUpdates())
                .buildSpec(BuildSpec.fromSourceFilename("buildspec.yml"))
                .environment(BuildEnvironment.builder()
                        .buildImage(LinuxBuildImage.AMAZON_LINUX_2_5)
                        .computeType(ComputeType.MEDIUM)
                        // Docker builds need it.
                        .privileged(true)
                        .build())
                .environmentVariables(buildVariables)
                .cache(Cache.local(LocalCacheMode.DOCKER_LAYER, LocalCacheMode.CUSTOM))
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(buildLogs).build())
                        .build())
                .timeout(Duration.minutes(30))
                .build();

        // The smoke test only reads the repository (for the script) and talks HTTPS to the environment.
        Role smokeTestRole = Role.Builder.create(this, "SmokeTestRole")
                .description("CodeBuild: smoke-tests an environment of " + settings.service())
                .assumedBy(new ServicePrincipal("codebuild.amazonaws.com"))
                .build();
        allow(smokeTestRole, "SmokeTestLogs", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(smokeTestLogs.getLogGroupArn()));
        allow(smokeTestRole, "ReadSource", List.of("s3:GetObject", "s3:GetObjectVersion"), List.of(bucketObjects));
        Stage tested = settings.hasStaging() ? Stage.STAGING : Stage.PRODUCTION;
        String callerSecret = Fn.importValue(settings.callerSecretExport(tested));
        allow(smokeTestRole, "ReadCallerSecret", List.of("secretsmanager:GetSecretValue"), List.of(callerSecret));
        PipelineProject smokeTest = PipelineProject.Builder.create(this, "SmokeTest")
                .projectName(settings.resourceName() + "-smoke-test")
                .description("Runs deploy/smoke-test.sh against " + settings.resourceName(tested))
                .role(smokeTestRole.withoutPolicyUpdates())
                .buildSpec(BuildSpec.fromSourceFilename("deploy/smoke-test-buildspec.yml"))
                .environment(BuildEnvironment.builder()
                        .buildImage(LinuxBuildImage.AMAZON_LINUX_2_5)
                        .computeType(ComputeType.SMALL)
                        .build())
                // The job API takes only tokens of the environment's own caller: the smoke test gets one
                // the way a caller does, with the client's id and secret from Secrets Manager.
                .environmentVariables(Map.of("SERVICE_URL", variable(Fn.importValue(settings.urlExport(tested))),
                        "CALLER_ID", callerSecret(callerSecret, "client_id"),
                        "CALLER_SECRET", callerSecret(callerSecret, "client_secret"),
                        "TOKEN_URL", callerSecret(callerSecret, "token_url"),
                        "TOKEN_SCOPE", callerSecret(callerSecret, "scope")))
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(smokeTestLogs).build())
                        .build())
                .timeout(Duration.minutes(10))
                .build();

        // Who must approve production hears of it here (subscribe an address: see the README).
        Topic approvals = Topic.Builder.create(this, "Approvals")
                .displayName(settings.service() + ": production waits for your approval")
                .enforceSsl(true)
                .build();

        Role pipelineRole = Role.Builder.create(this, "PipelineRole")
                .description("CodePipeline: runs the pipeline of " + settings.service())
                .assumedBy(new ServicePrincipal("codepipeline.amazonaws.com"))
                .build();
        Role sourceRole = actionRole("SourceRole", "takes the source from GitHub", pipelineRole);
        allow(sourceRole, "UseConnection", List.of("codeconnections:UseConnection"), List.of(gitHub.getAttrConnectionArn()));
        allow(sourceRole, "WriteSource", List.of("s3:PutObject"), List.of(bucketObjects));
        Role buildActionRole = actionRole("BuildActionRole", "starts the build", pipelineRole);
        allow(buildActionRole, "RunBuild", List.of("codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"),
                List.of(build.getProjectArn(), smokeTest.getProjectArn()));
        Role deployRole = actionRole("DeployRole", "deploys the bundle to Elastic Beanstalk", pipelineRole);
        // An Elastic Beanstalk deploy updates the environment's own CloudFormation stack, auto scaling
        // group, instances and load balancer with the caller's permissions: AWS documents this policy
        // for it (see the IAM4 suppression).
        deployRole.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName("AdministratorAccess-AWSElasticBeanstalk"));
        allow(deployRole, "ReadBundle", List.of("s3:GetObject", "s3:GetObjectVersion"), List.of(bucketObjects));
        allow(pipelineRole, "Artifacts", List.of("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"), List.of(bucketObjects));
        allow(pipelineRole, "ArtifactBucket", List.of("s3:GetBucketLocation", "s3:GetBucketVersioning"),
                List.of(artifacts.getBucketArn()));
        // The approval action has no role of its own: the pipeline's role notifies.
        allow(pipelineRole, "NotifyApprovers", List.of("sns:Publish"), List.of(approvals.getTopicArn()));
        allow(pipelineRole, "AssumeActionRoles", List.of("sts:AssumeRole"),
                List.of(sourceRole.getRoleArn(), buildActionRole.getRoleArn(), deployRole.getRoleArn()));

        Artifact source = new Artifact("Source");
        Artifact bundle = new Artifact("Bundle");
        CodeStarConnectionsSourceAction gitHubSource = CodeStarConnectionsSourceAction.Builder.create()
                .actionName("GitHub")
                .role(sourceRole.withoutPolicyUpdates())
                .connectionArn(gitHub.getAttrConnectionArn())
                .owner(settings.gitHubRepository().split("/")[0])
                .repo(settings.gitHubRepository().split("/")[1])
                .branch(settings.branch())
                .output(source)
                .build();
        CodeBuildAction buildAction = CodeBuildAction.Builder.create()
                .actionName("TestAndPushImage")
                .role(buildActionRole.withoutPolicyUpdates())
                .project(build)
                .input(source)
                .outputs(List.of(bundle))
                .build();
        List<StageProps> stages = new ArrayList<>(List.of(
                StageProps.builder().stageName("Source").actions(List.of(gitHubSource)).build(),
                StageProps.builder().stageName("Build").actions(List.of(buildAction)).build()));
        StageProps smokeTestStage = StageProps.builder().stageName("SmokeTest").actions(List.of(
                CodeBuildAction.Builder.create()
                        .actionName("SmokeTest" + capitalized(tested.name()))
                        .type(CodeBuildActionType.TEST)
                        .role(buildActionRole.withoutPolicyUpdates())
                        .project(smokeTest)
                        // The repository, for the script; the URL comes with the project.
                        .input(source)
                        .build())).build();
        if (settings.hasStaging()) {
            stages.add(deployStage(settings, Stage.STAGING, deployRole, bundle));
            stages.add(smokeTestStage);
            stages.add(StageProps.builder().stageName("Approval").actions(List.of(
                    ManualApprovalAction.Builder.create()
                            .actionName("ApproveProduction")
                            .notificationTopic(approvals)
                            // IMAGE is what buildspec.yml exports: the pushed image, by its digest.
                            .additionalInformation("Commit " + gitHubSource.getVariables().getCommitId()
                                    + " (image " + buildAction.variable("IMAGE") + ") passed its smoke test on staging, "
                                    + Fn.importValue(settings.urlExport(Stage.STAGING))
                                    + " . Approve to deploy that same bundle, the same image, to production.")
                            .externalEntityLink(Fn.importValue(settings.urlExport(Stage.STAGING)))
                            .build())).build());
            // The very artifact staging ran: the Build stage's bundle, never a rebuild.
            stages.add(deployStage(settings, Stage.PRODUCTION, deployRole, bundle));
        } else {
            stages.add(deployStage(settings, Stage.PRODUCTION, deployRole, bundle));
            stages.add(smokeTestStage);
        }
        Pipeline pipeline = Pipeline.Builder.create(this, "Pipeline")
                .pipelineName(settings.resourceName())
                .pipelineType(PipelineType.V2)
                // One deploy at a time, in push order: Elastic Beanstalk refuses overlapping updates.
                .executionMode(ExecutionMode.QUEUED)
                .role(pipelineRole.withoutPolicyUpdates())
                .artifactBucket(artifacts)
                .crossAccountKeys(false)
                .restartExecutionOnUpdate(false)
                .stages(stages)
                .build();

        CfnOutput.Builder.create(this, "ConnectionArn").value(gitHub.getAttrConnectionArn()).build();
        CfnOutput.Builder.create(this, "RepositoryName").value(images.getRepositoryName()).build();
        CfnOutput.Builder.create(this, "ArtifactBucket").value(artifacts.getBucketName()).build();
        CfnOutput.Builder.create(this, "PipelineName").value(pipeline.getPipelineName()).build();
        CfnOutput.Builder.create(this, "ApprovalTopic").value(approvals.getTopicArn()).build();

        suppressFindings(artifacts, List.of(build, smokeTest), List.of(buildRole, smokeTestRole, pipelineRole, sourceRole,
                deployRole), deployRole, approvals);
    }

    /** The stage that deploys the bundle to one environment. */
    private static StageProps deployStage(DeliverySettings settings, Stage stage, Role deployRole, Artifact bundle) {
        return StageProps.builder().stageName(capitalized(stage.name())).actions(List.of(
                ElasticBeanstalkDeployAction.Builder.create()
                        .actionName("Deploy" + capitalized(stage.name()))
                        .role(deployRole.withoutPolicyUpdates())
                        .applicationName(settings.resourceName(stage))
                        .environmentName(settings.resourceName(stage))
                        .input(bundle)
                        .build())).build();
    }

    private static String capitalized(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    /** A role that the pipeline's own role assumes for one action. */
    private Role actionRole(String id, String what, Role pipelineRole) {
        return Role.Builder.create(this, id)
                .description("CodePipeline " + what)
                .assumedBy(new ArnPrincipal(pipelineRole.getRoleArn()))
                .build();
    }

    /** A statement in a policy of its own, attached to the role (so that roles can name each other). */
    /** One key of the JSON secret {@code arn}, read by CodeBuild when the build starts. */
    private static BuildEnvironmentVariable callerSecret(String arn, String key) {
        return BuildEnvironmentVariable.builder().type(BuildEnvironmentVariableType.SECRETS_MANAGER)
                .value(Fn.join("", List.of(arn, ":", key))).build();
    }

    private static BuildEnvironmentVariable variable(String value) {
        return BuildEnvironmentVariable.builder().value(value).build();
    }

    private static void allow(Role role, String id, List<String> actions, List<String> resources) {
        Policy.Builder.create(role, id)
                .roles(List.of(role))
                .statements(List.of(PolicyStatement.Builder.create()
                        .effect(Effect.ALLOW).actions(actions).resources(resources).build()))
                .build();
    }

    /** The cdk-nag AwsSolutions findings this stack accepts, each with its reason. */
    private void suppressFindings(Bucket artifacts, List<PipelineProject> projects, List<Role> roles, Role deployRole,
                                  Topic approvals) {
        NagSuppressions.addResourceSuppressions(approvals, List.of(
                NagPackSuppression.builder().id("AwsSolutions-SNS2").reason(
                        "The approval notices hold a commit id and the staging URL, nothing secret; a customer key"
                                + " would cost a key a month for nothing to protect.").build()));
        NagSuppressions.addResourceSuppressions(artifacts, List.of(
                NagPackSuppression.builder().id("AwsSolutions-S1").reason(
                        "The bucket holds only pipeline artifacts (source zips and deploy bundles), kept 30 days;"
                                + " CloudTrail records who reads and writes them. Access logs would need a second"
                                + " bucket for no gain.").build()));
        NagSuppressions.addResourceSuppressions(projects, List.of(
                NagPackSuppression.builder().id("AwsSolutions-CB4").reason(
                        "Build output is encrypted with the AWS-managed S3 key of the artifact bucket; a customer"
                                + " key would add a key policy to manage and pay for, and protect nothing more here.")
                        .build()));
        NagSuppressions.addResourceSuppressions(roles, List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason(
                        "Object ARNs end in /* by the definition of S3 ARNs: these statements reach the objects of"
                                + " this pipeline's own artifact bucket only.")
                        .appliesTo(List.of("Resource::<Artifacts82DD59A1.Arn>/*")).build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason(
                        "ecr:GetAuthorizationToken, and for a CodeArtifact repository sts:GetServiceBearerToken"
                                + " (only for codeartifact.amazonaws.com), have no resource to narrow them to: AWS requires \"*\".")
                        .appliesTo(List.of("Resource::*")).build()), true);
        NagSuppressions.addResourceSuppressions(deployRole, List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM4").reason(
                        "AdministratorAccess-AWSElasticBeanstalk is what AWS documents for the Elastic Beanstalk"
                                + " deploy action: a deploy updates the environment's own stack, auto scaling group and"
                                + " load balancer with the caller's permissions.")
                        .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk"))
                        .build()), true);
    }
}
