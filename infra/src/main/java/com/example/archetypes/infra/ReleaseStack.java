package com.example.archetypes.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.codeartifact.CfnDomain;
import software.amazon.awscdk.services.codeartifact.CfnRepository;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.codeconnections.CfnConnection;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.GitConfiguration;
import software.amazon.awscdk.services.codepipeline.GitPushFilter;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.ProviderType;
import software.amazon.awscdk.services.codepipeline.StageProps;
import software.amazon.awscdk.services.codepipeline.TriggerProps;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeStarConnectionsSourceAction;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * Where releases of the generator go and how they get there: a CodeArtifact domain and Maven
 * repository (with Maven Central upstream, so that one repository serves teams everything), and a
 * pipeline that, for every tag v*, runs the generator's test command and publishes the release.
 *
 * <pre>tag v0.2.0 -> Source (GitHub) -> Release (CodeBuild: buildspec.yml: .ci/run, release/publish.sh)</pre>
 */
public class ReleaseStack extends Stack {

    static final String DOMAIN = "service-generator";
    static final String REPOSITORY = "releases";

    public ReleaseStack(Construct scope, String id, StackProps props, String gitHubRepository) {
        super(scope, id, props);

        CfnDomain domain = CfnDomain.Builder.create(this, "Domain").domainName(DOMAIN).build();
        CfnRepository mavenCentral = CfnRepository.Builder.create(this, "MavenCentral")
                .domainName(domain.getAttrName())
                .repositoryName("maven-central-store")
                .description("Maven Central, as the upstream of " + REPOSITORY)
                .externalConnections(List.of("public:maven-central"))
                .build();
        CfnRepository releases = CfnRepository.Builder.create(this, "Releases")
                .domainName(domain.getAttrName())
                .repositoryName(REPOSITORY)
                .description("Released versions of the service generator, and Maven Central behind them")
                .upstreams(List.of(mavenCentral.getAttrName()))
                .build();

        Bucket artifacts = Bucket.Builder.create(this, "Artifacts")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(List.of(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .expiration(Duration.days(30)).noncurrentVersionExpiration(Duration.days(1)).build()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        CfnConnection gitHub = CfnConnection.Builder.create(this, "GitHub")
                .connectionName("service-generator").providerType("GitHub").build();
        LogGroup buildLogs = LogGroup.Builder.create(this, "BuildLogs")
                .retention(RetentionDays.ONE_MONTH).removalPolicy(RemovalPolicy.DESTROY).build();
        String bucketObjects = artifacts.getBucketArn() + "/*";

        // Every role written out and closed to the CDK's own grants: each step may do what it needs.
        Role buildRole = Role.Builder.create(this, "BuildRole")
                .description("CodeBuild: tests and publishes a release of the service generator")
                .assumedBy(new ServicePrincipal("codebuild.amazonaws.com"))
                .build();
        allow(buildRole, "Logs", List.of("logs:CreateLogStream", "logs:PutLogEvents"), List.of(buildLogs.getLogGroupArn()));
        allow(buildRole, "Source", List.of("s3:GetObject", "s3:GetObjectVersion"), List.of(bucketObjects));
        allow(buildRole, "Token", List.of("codeartifact:GetAuthorizationToken"), List.of(domain.getAttrArn()));
        allow(buildRole, "Endpoint", List.of("codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"),
                List.of(releases.getAttrArn()));
        allow(buildRole, "Publish", List.of("codeartifact:PublishPackageVersion", "codeartifact:PutPackageMetadata"),
                // Package ARNs name the package: the generator's group, every artifact in it.
                List.of("arn:" + getPartition() + ":codeartifact:" + getRegion() + ":" + getAccount() + ":package/"
                        + DOMAIN + "/" + REPOSITORY + "/maven/com.example.archetypes/*"));
        buildRole.addToPolicy(PolicyStatement.Builder.create()
                // AWS requires "*" here: the bearer token for CodeArtifact is not a resource.
                .effect(Effect.ALLOW)
                .actions(List.of("sts:GetServiceBearerToken"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("sts:AWSServiceName", "codeartifact.amazonaws.com")))
                .build());

        PipelineProject build = PipelineProject.Builder.create(this, "Release")
                .projectName("service-generator-release")
                .description("Runs the generator's test command, then publishes the release to CodeArtifact")
                .role(buildRole.withoutPolicyUpdates())
                .buildSpec(BuildSpec.fromSourceFilename("buildspec.yml"))
                .environment(BuildEnvironment.builder()
                        // Debian, as the generator's CI needs: it builds its stand-in images with debootstrap.
                        .buildImage(LinuxBuildImage.fromDockerRegistry("public.ecr.aws/docker/library/debian:bookworm"))
                        .computeType(ComputeType.LARGE)
                        // Its tests run a Docker engine.
                        .privileged(true)
                        .build())
                .environmentVariables(Map.of(
                        "CODEARTIFACT_DOMAIN", BuildEnvironmentVariable.builder().value(DOMAIN).build(),
                        "CODEARTIFACT_REPOSITORY", BuildEnvironmentVariable.builder().value(REPOSITORY).build()))
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(buildLogs).build()).build())
                .timeout(Duration.minutes(120))
                .build();

        Role pipelineRole = Role.Builder.create(this, "PipelineRole")
                .description("CodePipeline: releases the service generator")
                .assumedBy(new ServicePrincipal("codepipeline.amazonaws.com"))
                .build();
        Role sourceRole = Role.Builder.create(this, "SourceRole").description("CodePipeline takes the tagged source")
                .assumedBy(new ArnPrincipal(pipelineRole.getRoleArn())).build();
        allow(sourceRole, "UseConnection", List.of("codeconnections:UseConnection"), List.of(gitHub.getAttrConnectionArn()));
        allow(sourceRole, "WriteSource", List.of("s3:PutObject"), List.of(bucketObjects));
        Role buildActionRole = Role.Builder.create(this, "BuildActionRole").description("CodePipeline starts the release")
                .assumedBy(new ArnPrincipal(pipelineRole.getRoleArn())).build();
        allow(buildActionRole, "RunBuild", List.of("codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"),
                List.of(build.getProjectArn()));
        allow(pipelineRole, "Artifacts", List.of("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"), List.of(bucketObjects));
        allow(pipelineRole, "ArtifactBucket", List.of("s3:GetBucketLocation", "s3:GetBucketVersioning"),
                List.of(artifacts.getBucketArn()));
        allow(pipelineRole, "AssumeActionRoles", List.of("sts:AssumeRole"),
                List.of(sourceRole.getRoleArn(), buildActionRole.getRoleArn()));

        Artifact source = new Artifact("Source");
        CodeStarConnectionsSourceAction fromGitHub = CodeStarConnectionsSourceAction.Builder.create()
                .actionName("GitHub")
                .role(sourceRole.withoutPolicyUpdates())
                .connectionArn(gitHub.getAttrConnectionArn())
                .owner(gitHubRepository.split("/")[0])
                .repo(gitHubRepository.split("/")[1])
                .branch("main")
                .output(source)
                .build();
        Pipeline.Builder.create(this, "Pipeline")
                .pipelineName("service-generator-release")
                .pipelineType(PipelineType.V2)
                .executionMode(ExecutionMode.QUEUED)
                .role(pipelineRole.withoutPolicyUpdates())
                .artifactBucket(artifacts)
                .crossAccountKeys(false)
                // A tag v*, as release/release.sh makes, is what releases; a push to a branch is not.
                .triggers(List.of(TriggerProps.builder()
                        .providerType(ProviderType.CODE_STAR_SOURCE_CONNECTION)
                        .gitConfiguration(GitConfiguration.builder()
                                .sourceAction(fromGitHub)
                                .pushFilter(List.of(GitPushFilter.builder().tagsIncludes(List.of("v*")).build()))
                                .build())
                        .build()))
                .stages(List.of(
                        StageProps.builder().stageName("Source").actions(List.of(fromGitHub)).build(),
                        StageProps.builder().stageName("Release").actions(List.of(CodeBuildAction.Builder.create()
                                .actionName("TestAndPublish")
                                .role(buildActionRole.withoutPolicyUpdates())
                                .project(build)
                                .input(source)
                                .build())).build()))
                .build();

        CfnOutput.Builder.create(this, "RepositoryEndpoint").description("Where Maven finds the releases ("
                + "aws codeartifact get-repository-endpoint --domain " + DOMAIN + " --repository " + REPOSITORY
                + " --format maven)").value(releases.getAttrArn()).build();
        CfnOutput.Builder.create(this, "ConnectionArn").value(gitHub.getAttrConnectionArn()).build();

        NagSuppressions.addResourceSuppressions(artifacts, List.of(suppress("AwsSolutions-S1",
                "The bucket holds only pipeline artifacts, kept 30 days; CloudTrail records who reads and writes them.")));
        NagSuppressions.addResourceSuppressions(build, List.of(suppress("AwsSolutions-CB4",
                "Build output is encrypted with the artifact bucket's AWS-managed S3 key; a customer key would protect"
                        + " nothing more here."), suppress("AwsSolutions-CB5", "The generator's tests need Debian: .ci/run"
                + " installs their servers with apt-get and builds stand-in images with debootstrap. The image is"
                + " Debian's own, from ECR Public.")));
        NagSuppressions.addResourceSuppressions(List.of(buildRole, pipelineRole, sourceRole), List.of(
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason("Object ARNs end in /* by the definition of"
                        + " S3 ARNs: these statements reach this pipeline's own artifact bucket only.")
                        .appliesTo(List.of("Resource::<Artifacts82DD59A1.Arn>/*")).build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason("Publishing reaches the generator's own"
                        + " group (com.example.archetypes) in its own repository: package ARNs end in the package name.")
                        .appliesTo(List.of("Resource::arn:<AWS::Partition>:codeartifact:<AWS::Region>:<AWS::AccountId>:package/"
                                + DOMAIN + "/" + REPOSITORY + "/maven/com.example.archetypes/*")).build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5").reason("sts:GetServiceBearerToken has no resource:"
                        + " AWS requires \"*\"; the condition limits it to CodeArtifact.")
                        .appliesTo(List.of("Resource::*")).build()), true);
    }

    private static void allow(Role role, String id, List<String> actions, List<String> resources) {
        Policy.Builder.create(role, id).roles(List.of(role)).statements(List.of(PolicyStatement.Builder.create()
                .effect(Effect.ALLOW).actions(actions).resources(resources).build())).build();
    }

    private static NagPackSuppression suppress(String id, String reason) {
        return NagPackSuppression.builder().id(id).reason(reason).build();
    }
}
