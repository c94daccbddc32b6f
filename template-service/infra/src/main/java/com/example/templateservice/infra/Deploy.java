package com.example.templateservice.infra;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.codeconnections.CodeConnectionsClient;
import software.amazon.awssdk.services.codeconnections.model.ConnectionStatus;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.elasticbeanstalk.ElasticBeanstalkClient;
import software.amazon.awssdk.services.elasticbeanstalk.model.EnvironmentDescription;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBSnapshot;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One command up, one command down, for this service on AWS (infra/deploy runs it):
 * <ul>
 *   <li>{@code up} synthesizes the stacks (staging, production, the pipeline), creates or updates them with each resource shown as it
 *       changes, then says what is left to do (confirming the GitHub connection, the one step only a
 *       person can take) and where the service answers;</li>
 *   <li>{@code down} empties the image repository and the artifact bucket, deletes the stacks, and
 *       says what it leaves behind on purpose (each database's final snapshot, by name) and what that costs;</li>
 *   <li>{@code status} says what is deployed: each stack, and each environment's URL, health and version;</li>
 *   <li>{@code token} gets an access token for an environment's job API, as its machine caller does.</li>
 * </ul>
 * Each can be run again, after a failure too: it goes on from where the last run stopped. Credentials
 * and the region come from the usual places (AWS_PROFILE, AWS_REGION, ~/.aws); AWS_ENDPOINT_URL
 * points every client elsewhere, as the tests do. A failure is told in a line or two that say what to
 * do; {@code --verbose} adds what the AWS SDK said, word for word.
 */
public final class Deploy {

    private final DeliverySettings settings;
    private final PrintStream out;
    private final Duration poll;
    private final Supplier<Map<String, String>> templates;

    Deploy(DeliverySettings settings, PrintStream out, Duration poll) {
        this.settings = settings;
        this.out = out;
        this.poll = poll;
        this.templates = this::synthesize;
    }

    /** With the templates given, as a test gives those it synthesized once. */
    Deploy(DeliverySettings settings, PrintStream out, Duration poll, Map<String, String> templates) {
        this.settings = settings;
        this.out = out;
        this.poll = poll;
        this.templates = () -> templates;
    }

    public static void main(String[] args) {
        System.exit(launch(Path.of("."), System.getenv(), System.out, args));
    }

    /**
     * What main does, for the service in {@code serviceDir} with the environment {@code env}: reads
     * the settings from git, then runs the command. Returns the exit code.
     */
    static int launch(Path serviceDir, Map<String, String> env, PrintStream out, String... args) {
        DeliverySettings settings;
        try {
            settings = DeliverySettings.fromGit(serviceDir, env);
        } catch (IllegalArgumentException e) {
            out.println("infra/deploy: " + e.getMessage());
            return 1;
        }
        return new Deploy(settings, out, Duration.ofSeconds(10)).run(args);
    }

    /**
     * Runs a command ({@code up}, {@code down}, {@code status}, or {@code token [staging|production]
     * [--bare]}, and perhaps --verbose); returns the exit code.
     */
    int run(String... args) {
        List<String> words = new ArrayList<>(List.of(args));
        boolean verbose = words.remove("--verbose") | words.remove("-v");
        boolean bare = words.remove("--bare");
        String command = words.isEmpty() ? "" : words.get(0);
        try {
            switch (words.size() == 1 ? command : command + " " + String.join(" ", words.subList(1, words.size()))) {
                case "up" -> up();
                case "down" -> down();
                case "status" -> status();
                case "token", "token staging", "token production" -> token(words.size() == 2 ? words.get(1) : null, bare);
                default -> {
                    out.println("usage: infra/deploy up|down|status [--verbose]");
                    out.println("       infra/deploy token [staging|production] [--bare]   an access token for the job API");
                    return 2;
                }
            }
            return 0;
        } catch (DeployFailure e) {
            out.println("infra/deploy " + command + " stopped: " + e.getMessage());
            if (verbose && e.details() != null) {
                out.println("Details: " + e.details());
            }
        } catch (SdkServiceException e) {
            out.println("infra/deploy " + command + " stopped: AWS refused a request: " + e.getMessage()
                    + " Check that your credentials may manage CloudFormation, IAM and the resources of the stacks.");
        } catch (SdkClientException e) {
            out.println("infra/deploy " + command + " stopped: cannot talk to AWS: " + e.getMessage()
                    + " Check your credentials (aws configure, AWS_PROFILE) and AWS_REGION.");
        }
        return 1;
    }

    private void up() {
        if (settings.mavenRepository() == null) {
            throw new DeployFailure("MAVEN_REPOSITORY_URL is not set. The pipeline's build takes the runtime library"
                    + " (micronaut-service-runtime) from your team's Maven repository, the one this service was generated"
                    + " from: export MAVEN_REPOSITORY_URL=https://... and run infra/deploy up again (for AWS CodeArtifact:"
                    + " aws codeartifact get-repository-endpoint --domain DOMAIN --repository REPOSITORY --format maven).");
        }
        try (Clients aws = new Clients()) {
            out.printf("Deploying %s to AWS account %s, region %s, built from GitHub %s (branch %s)%n",
                    settings.service(), aws.account(), aws.region, settings.gitHubRepository(), settings.branch());
            Stacks stacks = new Stacks(aws.cloudFormation, out, poll);
            Map<String, String> parameters = settings.domain() == null
                    ? Map.of(EnvironmentStack.CLOUDFRONT_PREFIX_LIST, cloudFrontPrefixList(aws.ec2))
                    : Map.of();
            for (Map.Entry<String, String> stack : templates.get().entrySet()) {
                stacks.deploy(stack.getKey(), stack.getValue(), settings.service(), parameters);
            }

            Map<String, String> pipeline = stacks.outputs(settings.pipelineStack());
            ConnectionStatus connection = aws.connections.getConnection(request ->
                    request.connectionArn(pipeline.get("ConnectionArn"))).connection().connectionStatus();
            String route = settings.hasStaging()
                    ? "tested, built, deployed to staging and smoke-tested there, then waits for a person's approval"
                            + " to deploy the same bundle to production"
                    : "tested, built, deployed to production and smoke-tested there";
            out.println();
            if (connection == ConnectionStatus.AVAILABLE) {
                out.printf("Done. Every push to %s is now %s.%n", settings.branch(), route);
            } else {
                out.printf("""
                        Done but for one step, which only you can take: let AWS read %s on GitHub.
                          1. Open https://console.aws.amazon.com/codesuite/settings/connections?region=%s
                          2. Choose the connection "%s" (status: %s), then "Update pending connection".
                          3. Install the AWS Connector for GitHub app, or choose it, with access to %s, and connect.
                        Then push to %s: it is %s.
                        (infra/deploy status shows whether the connection is confirmed.)
                        """, settings.gitHubRepository(), aws.region, settings.connectionName(), connection,
                        settings.gitHubRepository(), settings.branch(), route);
            }
            if (settings.hasStaging() && pipeline.containsKey("ApprovalTopic")) {
                out.printf("""
                        Approvals: whoever approves production hears of it by email once subscribed:
                          aws sns subscribe --topic-arn %s --protocol email --notification-endpoint <address> --region %s
                        """, pipeline.get("ApprovalTopic"), aws.region);
            }
            for (Stage stage : settings.stages()) {
                out.printf("%-11s %s (Elastic Beanstalk's sample page until the first deploy)%n", stage.name() + ":",
                        stacks.outputs(settings.environmentStack(stage)).get("ServiceUrl"));
            }
            out.printf("The job API takes only tokens of each environment's own caller: infra/deploy token %s prints one,"
                    + " with the curl lines that use it.%n", settings.stages().get(settings.stages().size() - 1).name());
        }
    }

    /**
     * An access token for an environment's job API (production's unless told), as its machine caller
     * gets one: the client id and secret from Secrets Manager, traded at the pool's token endpoint
     * (client credentials). Prints the token and how to call the API with it; with --bare the token
     * alone, for TOKEN=$(infra/deploy token --bare).
     */
    private void token(String environment, boolean bare) {
        Stage stage = settings.stages().stream()
                .filter(s -> environment == null ? s.equals(Stage.PRODUCTION) : s.name().equals(environment))
                .findFirst()
                .orElseThrow(() -> new DeployFailure("there is no " + environment + " environment (ENVIRONMENTS="
                        + settings.stages().stream().map(Stage::name).toList() + ")."));
        try (Clients aws = new Clients()) {
            Map<String, String> outputs = new Stacks(aws.cloudFormation, out, poll).outputs(settings.environmentStack(stage));
            if (!outputs.containsKey("CallerSecret")) {
                throw new DeployFailure(settings.environmentStack(stage) + " has no job API caller yet: run infra/deploy up first.");
            }
            String secret;
            try (SecretsManagerClient secrets = SecretsManagerClient.builder().credentialsProvider(aws.credentials).build()) {
                secret = secrets.getSecretValue(request -> request.secretId(outputs.get("CallerSecret"))).secretString();
            }
            CallerToken token = CallerToken.fetch(CallerCredentials.parse(secret));
            if (bare) {
                out.println(token.accessToken());
                return;
            }
            String url = outputs.getOrDefault("ServiceUrl", "https://<service>/");
            out.printf("""
                    An access token for %s's job API (scopes %s), valid for %d minutes:
                    %s

                    Keep it in your shell and call the API with it:
                      export TOKEN=$(infra/deploy token %s --bare)
                      curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"type":"greet","payload":{"name":"Ada"}}' %sjobs
                      curl -H "Authorization: Bearer $TOKEN" %sjobs/<id>
                    A caller of its own does the same: it reads the secret %s (client_id, client_secret,
                    token_url, scope), asks token_url for a token with the client-credentials grant, and keeps it
                    until it expires.
                    """, settings.resourceName(stage), token.scope(), token.expiresIn().toMinutes(), token.accessToken(),
                    stage.name(), url, url, outputs.get("CallerSecret"));
        }
    }

    private void down() {
        try (Clients aws = new Clients()) {
            out.printf("Removing %s from AWS account %s, region %s%n", settings.service(), aws.account(), aws.region);
            Stacks stacks = new Stacks(aws.cloudFormation, out, poll);
            // The repository and the bucket must be empty before CloudFormation can delete them.
            Map<String, String> pipeline = stacks.outputs(settings.pipelineStack());
            if (pipeline.containsKey("RepositoryName")) {
                emptyRepository(aws.ecr, pipeline.get("RepositoryName"));
            }
            if (pipeline.containsKey("ArtifactBucket")) {
                emptyBucket(aws.s3, pipeline.get("ArtifactBucket"));
            }
            // The pipeline first (it imports the environments' URLs), then production, then staging.
            stacks.remove(settings.pipelineStack());
            List<Stage> stages = new ArrayList<>(settings.stages());
            java.util.Collections.reverse(stages);
            for (Stage stage : stages) {
                stacks.remove(settings.environmentStack(stage));
            }
            // The snapshots CloudFormation took as it deleted the databases, by their names.
            StringBuilder snapshots = new StringBuilder();
            for (Stage stage : settings.stages()) {
                String instance = settings.resourceName(stage);
                List<DBSnapshot> taken = aws.rds.describeDBSnapshots(request -> request.dbInstanceIdentifier(instance)
                        .snapshotType("manual")).dbSnapshots();
                if (taken.isEmpty()) {
                    snapshots.append(String.format("      none of %s found yet; look with: aws rds describe-db-snapshots"
                            + " --db-instance-identifier %s --region %s%n", instance, instance, aws.region));
                }
                for (DBSnapshot snapshot : taken) {
                    snapshots.append(String.format("      aws rds delete-db-snapshot --db-snapshot-identifier %s --region %s"
                            + "   (%s, %d GB, taken %s)%n", snapshot.dbSnapshotIdentifier(), aws.region, instance,
                            snapshot.allocatedStorage(), snapshot.snapshotCreateTime()));
                }
            }
            out.printf("""

                    Removed. Left behind on purpose:
                      - the final snapshot of each database, which holds its data; each costs about $0.095 per GB
                        and month (about $1.90 a month for 20 GB). Delete each when its data is no longer needed:
                    %s  - Elastic Beanstalk's own logs and bucket (/aws/elasticbeanstalk/%s-*/* in CloudWatch,
                        elasticbeanstalk-%s-<account> in S3), shared with any other application; cents a month.
                    """, snapshots, settings.resourceName(), aws.region);
        }
    }

    private void status() {
        try (Clients aws = new Clients()) {
            Stacks stacks = new Stacks(aws.cloudFormation, out, poll);
            out.printf("%s in AWS account %s, region %s:%n", settings.service(), aws.account(), aws.region);
            List<String> names = new ArrayList<>(settings.environmentStacks());
            names.add(settings.pipelineStack());
            for (String name : names) {
                Optional<Stack> stack = stacks.find(name);
                out.printf("  %-40s %s%n", name, stack.map(s -> s.stackStatusAsString()
                        + " (last changed " + Optional.ofNullable(s.lastUpdatedTime()).orElse(s.creationTime()) + ")")
                        .orElse("not deployed"));
            }
            Map<String, String> pipeline = stacks.outputs(settings.pipelineStack());
            if (pipeline.containsKey("ConnectionArn")) {
                out.printf("  %-40s %s%n", "GitHub connection", aws.connections.getConnection(request ->
                        request.connectionArn(pipeline.get("ConnectionArn"))).connection().connectionStatusAsString());
            }
            for (Stage stage : settings.stages()) {
                Map<String, String> outputs = stacks.outputs(settings.environmentStack(stage));
                String url = outputs.get("ServiceUrl");
                if (url == null) {
                    continue;
                }
                List<EnvironmentDescription> found = aws.beanstalk.describeEnvironments(request -> request
                        .environmentNames(settings.resourceName(stage)).includeDeleted(false)).environments();
                String health = found.isEmpty() ? "no environment"
                        : "health " + found.get(0).healthAsString() + ", version "
                                + Optional.ofNullable(found.get(0).versionLabel()).orElse("none yet (the sample page)");
                out.printf("  %-40s %s  %s%n", stage.name(), url, health);
                if (outputs.containsKey("DashboardUrl")) {
                    out.printf("  %-40s %s%n", "", "dashboard " + outputs.get("DashboardUrl"));
                }
            }
        }
    }

    /**
     * The id of the AWS-managed prefix list of CloudFront's addresses that reach origins, in this
     * region (it differs by region, and CloudFormation cannot look it up).
     */
    private static String cloudFrontPrefixList(Ec2Client ec2) {
        return ec2.describeManagedPrefixLists(request -> request.filters(Filter.builder()
                        .name("prefix-list-name").values(EnvironmentStack.CLOUDFRONT_ORIGIN_FACING).build()))
                .prefixLists().stream().findFirst().map(list -> list.prefixListId())
                .orElseThrow(() -> new DeployFailure("this region has no prefix list " + EnvironmentStack.CLOUDFRONT_ORIGIN_FACING
                        + ", so the load balancer cannot be closed to all but CloudFront. Choose another region (AWS_REGION),"
                        + " or a domain of your own (DOMAIN, HOSTED_ZONE_ID)."));
    }

    /** The templates, by stack, in the order to deploy them. The CDK runs on Node.js. */
    private Map<String, String> synthesize() {
        out.println("Synthesizing the stacks (the CDK runs on Node.js)");
        try {
            Path outdir = Files.createTempDirectory("cdk.out");
            return new InfraApp(settings, outdir.toString()).synthesize();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new DeployFailure("the CDK could not synthesize the stacks: " + e.getMessage()
                    + (String.valueOf(e.getMessage()).contains("node") ? " Install Node.js 20 or newer." : ""));
        }
    }

    private void emptyRepository(EcrClient ecr, String repository) {
        try {
            List<ImageIdentifier> images = new ArrayList<>();
            ecr.listImagesPaginator(request -> request.repositoryName(repository)).imageIds().forEach(images::add);
            for (int i = 0; i < images.size(); i += 100) {
                List<ImageIdentifier> batch = images.subList(i, Math.min(images.size(), i + 100));
                ecr.batchDeleteImage(request -> request.repositoryName(repository).imageIds(batch));
            }
            out.printf("%s: deleted %d image(s)%n", repository, images.size());
        } catch (RepositoryNotFoundException e) {
            out.printf("%s: not there (already removed)%n", repository);
        }
    }

    private void emptyBucket(S3Client s3, String bucket) {
        try {
            List<ObjectIdentifier> objects = new ArrayList<>();
            s3.listObjectVersionsPaginator(request -> request.bucket(bucket)).forEach(page -> {
                page.versions().forEach(v -> objects.add(ObjectIdentifier.builder().key(v.key()).versionId(v.versionId()).build()));
                page.deleteMarkers().forEach(m -> objects.add(ObjectIdentifier.builder().key(m.key()).versionId(m.versionId()).build()));
            });
            for (int i = 0; i < objects.size(); i += 1000) {
                List<ObjectIdentifier> batch = objects.subList(i, Math.min(objects.size(), i + 1000));
                s3.deleteObjects(request -> request.bucket(bucket).delete(delete -> delete.objects(batch).quiet(true)));
            }
            out.printf("%s: deleted %d object version(s)%n", bucket, objects.size());
        } catch (NoSuchBucketException e) {
            out.printf("%s: not there (already removed)%n", bucket);
        }
    }

    /** What infra/deploy says when the SDK found no credentials anywhere it looked. */
    static final String NO_CREDENTIALS = """
            no AWS credentials were found.
              Run `aws configure` (an access key), or `export AWS_PROFILE=<profile>` for a profile of ~/.aws/config \
            (run `aws sso login --profile <profile>` first if it is an SSO profile), then run this again; \
            --verbose shows where the AWS SDK looked.""";

    /** The AWS clients of one command, from the default region and credentials. */
    private static final class Clients implements AutoCloseable {

        final String region;
        final DefaultCredentialsProvider credentials;
        final CloudFormationClient cloudFormation;
        final EcrClient ecr;
        final S3Client s3;
        final CodeConnectionsClient connections;
        final StsClient sts;
        final ElasticBeanstalkClient beanstalk;
        final RdsClient rds;
        final Ec2Client ec2;

        Clients() {
            try {
                region = new DefaultAwsRegionProviderChain().getRegion().id();
            } catch (SdkClientException e) {
                throw new DeployFailure("no AWS region is set: set AWS_REGION, or a region in your AWS profile.");
            }
            // Resolved once, here, so that missing credentials are told before anything starts and
            // in two lines; the SDK's own account of every place it looked is some 1,500 characters.
            credentials = DefaultCredentialsProvider.builder().build();
            try {
                credentials.resolveCredentials();
            } catch (SdkClientException e) {
                credentials.close();
                throw new DeployFailure(NO_CREDENTIALS, e.getMessage());
            }
            cloudFormation = CloudFormationClient.builder().credentialsProvider(credentials).build();
            ecr = EcrClient.builder().credentialsProvider(credentials).build();
            s3 = S3Client.builder().credentialsProvider(credentials).build();
            connections = CodeConnectionsClient.builder().credentialsProvider(credentials).build();
            sts = StsClient.builder().credentialsProvider(credentials).build();
            beanstalk = ElasticBeanstalkClient.builder().credentialsProvider(credentials).build();
            rds = RdsClient.builder().credentialsProvider(credentials).build();
            ec2 = Ec2Client.builder().credentialsProvider(credentials).build();
        }

        String account() {
            return sts.getCallerIdentity().account();
        }

        @Override
        public void close() {
            cloudFormation.close();
            ecr.close();
            s3.close();
            connections.close();
            sts.close();
            beanstalk.close();
            rds.close();
            ec2.close();
            credentials.close();
        }
    }
}
