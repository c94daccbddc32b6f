package com.example.templateservice.infra;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * infra/deploy up, down and status, with the real AWS SDK against {@link FakeAws} on 127.0.0.1: the
 * calls made and their order, a second up that changes nothing, a failed stack and the run after it,
 * down emptying the repository and the bucket before it deletes the stacks, and what a new user is
 * told when there are no credentials or nothing committed yet.
 */
class DeployTest {

    private static final DeliverySettings SETTINGS =
            new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE, "main")
                    .withMavenRepository(new MavenRepository("https://maven.acme.test/releases"));
    private static final String REPOSITORY = SETTINGS.resourceName();
    private static final String BUCKET = SETTINGS.pipelineStack() + "-artifacts";
    private static final String STAGING = SETTINGS.environmentStack(Stage.STAGING);
    private static final String PRODUCTION = SETTINGS.environmentStack(Stage.PRODUCTION);
    private static final String STAGING_URL = "https://d1staging.cloudfront.net/";
    private static final String PRODUCTION_URL = "https://d2production.cloudfront.net/";
    private static final String TOPIC = "arn:aws:sns:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":approvals";
    /** What the SDK would otherwise read from the environment, the profile, or instance metadata. */
    private static final Map<String, String> SDK_SETTINGS = Map.of(
            "aws.region", FakeAws.REGION,
            "aws.accessKeyId", "AKIDFAKE",
            "aws.secretAccessKey", "fake-secret",
            "aws.disableEc2Metadata", "true");

    /** Synthesized once, by the real CDK app: what up would synthesize each time. */
    private static Map<String, String> templates;

    private FakeAws aws;

    @BeforeAll
    static void synthesizeOnce() throws IOException {
        templates = new InfraApp(SETTINGS, Files.createTempDirectory("cdk.out").toString()).synthesize();
    }

    @BeforeEach
    void startTheFakeAws() {
        aws = new FakeAws();
        System.setProperty("aws.endpointUrl", aws.endpoint());
        SDK_SETTINGS.forEach(System::setProperty);
        aws.outputs.put(SETTINGS.pipelineStack(), Map.of(
                "ConnectionArn", "arn:aws:codeconnections:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":connection/abc",
                "RepositoryName", REPOSITORY,
                "ArtifactBucket", BUCKET,
                "ApprovalTopic", TOPIC));
        aws.outputs.put(STAGING, Map.of("ServiceUrl", STAGING_URL));
        aws.outputs.put(PRODUCTION, Map.of("ServiceUrl", PRODUCTION_URL));
    }

    @AfterEach
    void stopIt() {
        aws.close();
        System.clearProperty("aws.endpointUrl");
        SDK_SETTINGS.keySet().forEach(System::clearProperty);
    }

    @Test
    void upCreatesStagingThenProductionThenThePipelineAndEndsAtTheOneManualStep() {
        Result up = run("up");

        assertEquals(0, up.code(), up.output());
        assertEquals(List.of(
                "cloudformation:CreateStack " + STAGING,
                "cloudformation:CreateStack " + PRODUCTION,
                "cloudformation:CreateStack " + SETTINGS.pipelineStack()), changes());
        assertEquals("CREATE_COMPLETE", aws.status(STAGING));
        assertEquals("CREATE_COMPLETE", aws.status(PRODUCTION));
        assertEquals("CREATE_COMPLETE", aws.status(SETTINGS.pipelineStack()));
        assertEquals(List.of("codeconnections:GetConnection"), aws.calls("codeconnections"));
        // The load balancers admit CloudFront only: up found the region's prefix list and gave it to both.
        assertEquals(List.of("ec2:DescribeManagedPrefixLists com.amazonaws.global.cloudfront.origin-facing"), aws.calls("ec2"));
        assertEquals(Map.of("CloudFrontPrefixList", FakeAws.CLOUDFRONT_PREFIX_LIST), aws.parameters.get(STAGING));
        assertEquals(Map.of("CloudFrontPrefixList", FakeAws.CLOUDFRONT_PREFIX_LIST), aws.parameters.get(PRODUCTION));
        assertEquals(Map.of(), aws.parameters.get(SETTINGS.pipelineStack()));
        assertContains(up.output(), "CREATE_COMPLETE", "AWS::RDS::DBInstance", "Database", "AWS::CloudFront::Distribution");
        assertContains(up.output(), "AWS::CodePipeline::Pipeline", STAGING + ": CREATE_COMPLETE in",
                PRODUCTION + ": CREATE_COMPLETE in");
        assertContains(up.output(), "only you can take", "codesuite/settings/connections?region=" + FakeAws.REGION,
                "Update pending connection", "Then push to main: it is tested, built, deployed to staging",
                "waits for a person's approval");
        assertContains(up.output(), "aws sns subscribe --topic-arn " + TOPIC + " --protocol email");
        assertContains(up.output(), "staging:    " + STAGING_URL, "production: " + PRODUCTION_URL,
                "infra/deploy token production prints one, with the curl lines that use it.");
    }

    @Test
    void aSecondUpChangesNothing() {
        run("up");
        aws.calls.clear();
        aws.connectionStatus = "AVAILABLE";

        Result again = run("up");

        assertEquals(0, again.code(), again.output());
        assertEquals(List.of(
                "cloudformation:UpdateStack " + STAGING,
                "cloudformation:UpdateStack " + PRODUCTION,
                "cloudformation:UpdateStack " + SETTINGS.pipelineStack()), changes(), "updates that were refused, nothing else");
        assertContains(again.output(), STAGING + ": up to date, nothing to change",
                PRODUCTION + ": up to date, nothing to change",
                SETTINGS.pipelineStack() + ": up to date, nothing to change", "Every push to main is now tested");
        assertFalse(again.output().contains("only you can take"), again.output());
    }

    @Test
    void aFailedStackIsReportedAndTheNextUpGoesOnFromIt() {
        aws.failingResources.put("AWS::RDS::DBInstance", "DB instance quota exceeded for this account");

        Result failed = run("up");

        assertEquals(1, failed.code(), failed.output());
        assertContains(failed.output(), STAGING + " ended in ROLLBACK_COMPLETE",
                "The first failure: Database", "(AWS::RDS::DBInstance): DB instance quota exceeded for this account",
                "Fix its cause and run this again");
        assertEquals(List.of("cloudformation:CreateStack " + STAGING), changes(), "went on after a failure");

        aws.failingResources.clear();
        aws.calls.clear();
        Result resumed = run("up");

        assertEquals(0, resumed.code(), resumed.output());
        assertEquals(List.of(
                "cloudformation:DeleteStack " + STAGING,
                "cloudformation:CreateStack " + STAGING,
                "cloudformation:CreateStack " + PRODUCTION,
                "cloudformation:CreateStack " + SETTINGS.pipelineStack()), changes());
        assertContains(resumed.output(), "its creation failed last time; removing what is left of it");
    }

    @Test
    void downEmptiesTheRepositoryAndTheBucketThenDeletesThePipelineAndBothEnvironments() {
        run("up");
        aws.images.put(REPOSITORY, new ArrayList<>(List.of("sha256:aaa", "sha256:bbb")));
        aws.objects.put(BUCKET, new ArrayList<>(List.of("Source/abc.zip v1", "Bundle/def.zip v1", "Bundle/def.zip v2")));
        aws.snapshots.put(SETTINGS.resourceName(Stage.PRODUCTION), List.of("template-service-production-database-snapshot-x1"));
        aws.calls.clear();

        Result down = run("down");

        assertEquals(0, down.code(), down.output());
        List<String> order = named(aws.calls).stream().filter(call -> call.startsWith("ecr:BatchDeleteImage")
                || call.startsWith("s3:DeleteObjects") || call.startsWith("cloudformation:DeleteStack")).toList();
        assertEquals(List.of(
                "ecr:BatchDeleteImage " + REPOSITORY,
                "s3:DeleteObjects " + BUCKET,
                "cloudformation:DeleteStack " + SETTINGS.pipelineStack(),
                "cloudformation:DeleteStack " + PRODUCTION,
                "cloudformation:DeleteStack " + STAGING), order);
        assertTrue(aws.images.get(REPOSITORY).isEmpty(), "images left: " + aws.images);
        assertTrue(aws.objects.get(BUCKET).isEmpty(), "objects left: " + aws.objects);
        assertEquals("DELETE_COMPLETE", aws.status(SETTINGS.pipelineStack()));
        assertEquals("DELETE_COMPLETE", aws.status(STAGING));
        assertEquals("DELETE_COMPLETE", aws.status(PRODUCTION));
        assertContains(down.output(), "deleted 2 image(s)", "deleted 3 object version(s)", "final snapshot of each database",
                "$0.095 per GB",
                "aws rds delete-db-snapshot --db-snapshot-identifier template-service-production-database-snapshot-x1 --region "
                        + FakeAws.REGION + "   (" + SETTINGS.resourceName(Stage.PRODUCTION) + ", 20 GB, taken 2026-12-02T05:00:00Z)",
                "none of " + SETTINGS.resourceName(Stage.STAGING) + " found yet; look with: aws rds describe-db-snapshots"
                        + " --db-instance-identifier " + SETTINGS.resourceName(Stage.STAGING));

        Result again = run("down");
        assertEquals(0, again.code(), again.output());
        assertContains(again.output(), SETTINGS.pipelineStack() + ": not there (already removed)",
                STAGING + ": not there (already removed)", PRODUCTION + ": not there (already removed)");
    }

    @Test
    void statusSaysWhatIsDeployedWithEachEnvironmentsUrlHealthVersionAndDashboard() {
        Result before = run("status");
        String dashboard = "https://" + FakeAws.REGION + ".console.aws.amazon.com/cloudwatch/home?region=" + FakeAws.REGION
                + "#dashboards:name=" + SETTINGS.resourceName(Stage.PRODUCTION);
        aws.outputs.put(PRODUCTION, Map.of("ServiceUrl", PRODUCTION_URL, "DashboardUrl", dashboard));
        run("up");
        aws.beanstalk.put(SETTINGS.resourceName(Stage.STAGING), new String[] {"Green", "code-pipeline-1701-abc123"});
        aws.beanstalk.put(SETTINGS.resourceName(Stage.PRODUCTION), new String[] {"Red", "code-pipeline-1700-fed987"});
        Result after = run("status");

        assertEquals(0, before.code(), before.output());
        assertEquals(2, before.output().lines().filter(line -> line.endsWith("not deployed")
                && (line.contains(STAGING) || line.contains(PRODUCTION))).count(), before.output());
        assertEquals(0, after.code(), after.output());
        assertContains(after.output(), STAGING + " ", PRODUCTION + " ", "CREATE_COMPLETE", "GitHub connection", "PENDING");
        assertTrue(after.output().lines().anyMatch(line -> line.matches(
                " +staging +\\Q" + STAGING_URL + "\\E +health Green, version code-pipeline-1701-abc123")), after.output());
        assertTrue(after.output().lines().anyMatch(line -> line.matches(
                " +production +\\Q" + PRODUCTION_URL + "\\E +health Red, version code-pipeline-1700-fed987")), after.output());
        assertTrue(after.output().lines().anyMatch(line -> line.matches(" +dashboard \\Q" + dashboard + "\\E")), after.output());
    }

    @Test
    void tokenTradesTheCallersSecretForAnAccessTokenAndSaysHowToCallTheApiWithIt() throws IOException {
        String arn = "arn:aws:secretsmanager:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":secret:caller-AbCdEf";
        List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpServer tokens = tokenEndpoint(asked, "client-1", "s3cr3t/+=");
        try {
            aws.outputs.put(PRODUCTION, Map.of("ServiceUrl", PRODUCTION_URL, "CallerSecret", arn));
            aws.secrets.put(arn, "{\"client_id\":\"client-1\",\"client_secret\":\"s3cr3t/+=\",\"token_url\":\"http://127.0.0.1:"
                    + tokens.getAddress().getPort() + "/oauth2/token\",\"scope\":\"template-service/jobs:write template-service/jobs:read\"}");
            run("up");

            Result token = run("token");
            Result bare = run("token", "production", "--bare");
            Result staging = run("token", "staging");

            assertEquals(0, token.code(), token.output());
            assertContains(token.output(), "An access token for " + SETTINGS.resourceName(Stage.PRODUCTION)
                            + "'s job API (scopes template-service/jobs:write template-service/jobs:read), valid for 60 minutes:",
                    "eyJ.issued-1.sig", "export TOKEN=$(infra/deploy token production --bare)",
                    "curl -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"type\":\"greet\","
                            + "\"payload\":{\"name\":\"Ada\"}}' " + PRODUCTION_URL + "jobs");
            assertEquals("eyJ.issued-2.sig\n", bare.output());
            // The endpoint was asked with the client's id and secret, form-encoded (RFC 6749, 2.3.1), for the scopes.
            assertEquals("client-1:s3cr3t/+= grant_type=client_credentials&scope=template-service%2Fjobs%3Awrite+template-service%2Fjobs%3Aread",
                    asked.get(0));
            assertEquals(1, staging.code());
            assertContains(staging.output(), SETTINGS.environmentStack(Stage.STAGING) + " has no job API caller yet: run infra/deploy up first.");
        } finally {
            tokens.stop(0);
        }
    }

    @Test
    void aTokenEndpointThatRefusesTheClientIsToldInOneLineWithoutTheSecret() throws IOException {
        String arn = "arn:aws:secretsmanager:" + FakeAws.REGION + ":" + FakeAws.ACCOUNT + ":secret:caller-AbCdEf";
        HttpServer tokens = tokenEndpoint(new ArrayList<>(), "client-1", "the-right-one");
        try {
            aws.outputs.put(PRODUCTION, Map.of("ServiceUrl", PRODUCTION_URL, "CallerSecret", arn));
            aws.secrets.put(arn, "{\"client_id\":\"client-1\",\"client_secret\":\"an-old-one\",\"token_url\":\"http://127.0.0.1:"
                    + tokens.getAddress().getPort() + "/oauth2/token\",\"scope\":\"template-service/jobs:read\"}");
            run("up");

            Result token = run("token");

            assertEquals(1, token.code());
            assertContains(token.output(), "infra/deploy token stopped: the token endpoint http://127.0.0.1:"
                    + tokens.getAddress().getPort() + "/oauth2/token refused the caller's credentials (400 invalid_client).");
            assertTrue(!token.output().contains("an-old-one"), "the secret was printed: " + token.output());
        } finally {
            tokens.stop(0);
        }
    }

    /**
     * An OAuth 2.0 token endpoint on 127.0.0.1 that knows one client: it answers a token (numbered) for
     * the client-credentials grant with the right Basic credentials, 400 invalid_client otherwise, and
     * records each request as "id:secret body".
     */
    private static HttpServer tokenEndpoint(List<String> asked, String clientId, String clientSecret) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/oauth2/token", exchange -> {
            String basic = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).replaceFirst("^Basic ", "");
            String[] credentials = java.net.URLDecoder.decode(new String(java.util.Base64.getDecoder().decode(basic),
                    StandardCharsets.UTF_8), StandardCharsets.UTF_8).split(":", 2);
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            asked.add(String.join(":", credentials) + " " + body);
            boolean known = credentials.length == 2 && credentials[0].equals(clientId) && credentials[1].equals(clientSecret)
                    && body.startsWith("grant_type=client_credentials&");
            byte[] answer = (known
                    ? "{\"access_token\":\"eyJ.issued-" + issued.incrementAndGet() + ".sig\",\"expires_in\":3600,\"token_type\":\"Bearer\"}"
                    : "{\"error\":\"invalid_client\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(known ? 200 : 400, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void anUnknownCommandGetsTheUsage() {
        Result result = run("sideways");

        assertEquals(2, result.code());
        assertContains(result.output(), "usage: infra/deploy up|down|status");
    }

    @Test
    void withoutCredentialsItSaysSoInTwoLinesAndWhatToRunAndTheDetailsOnlyWhenAsked(@TempDir Path home) {
        // Nowhere to find credentials: no system properties, no files (the environment variables are
        // kept from the tests by the pom), no instance metadata.
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        System.setProperty("aws.sharedCredentialsFile", home.resolve("credentials").toString());
        System.setProperty("aws.configFile", home.resolve("config").toString());
        try {
            Result up = run("up");

            assertEquals(1, up.code(), up.output());
            List<String> lines = up.output().strip().lines().toList();
            assertEquals(2, lines.size(), "not two lines:\n" + up.output());
            assertEquals("infra/deploy up stopped: no AWS credentials were found.", lines.get(0));
            assertContains(lines.get(1), "`aws configure`", "`export AWS_PROFILE=<profile>`",
                    "`aws sso login --profile <profile>`", "--verbose");
            assertFalse(up.output().contains("CredentialsProvider"), "the SDK's provider chain is shown:\n" + up.output());
            assertEquals(List.of(), aws.calls, "a call was made without credentials");

            Result verbose = run("up", "--verbose");

            assertEquals(1, verbose.code(), verbose.output());
            assertTrue(verbose.output().startsWith(up.output()), verbose.output());
            assertContains(verbose.output(), "Details: ", "SystemPropertyCredentialsProvider", "ProfileCredentialsProvider");
        } finally {
            System.clearProperty("aws.sharedCredentialsFile");
            System.clearProperty("aws.configFile");
        }
    }

    @Test
    void withoutAMavenRepositoryUpSaysWhatToSetAndCallsNothing() {
        Result up = run(new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE, "main"), "up");

        assertEquals(1, up.code(), up.output());
        assertEquals(1, up.output().strip().lines().count(), up.output());
        assertContains(up.output(), "infra/deploy up stopped: MAVEN_REPOSITORY_URL is not set.",
                "export MAVEN_REPOSITORY_URL=https://", "aws codeartifact get-repository-endpoint");
        assertEquals(List.of(), aws.calls, "AWS was called with no repository for the build");
    }

    @Test
    void aRepositoryWithNoCommitYetIsToldToCommitFirstWithTheCommand(@TempDir Path service) throws Exception {
        git(service, "init", "-q");
        git(service, "symbolic-ref", "HEAD", "refs/heads/main");
        git(service, "remote", "add", "origin", "https://github.com/acme/" + DeliverySettings.SERVICE + ".git");
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        int code = Deploy.launch(service, Map.of(), new PrintStream(output, true, StandardCharsets.UTF_8), "up");

        String said = output.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, said);
        assertEquals(1, said.strip().lines().count(), said);
        assertContains(said, "infra/deploy: the repository has no commit yet", "(main has nothing in it)",
                "Commit first: git add -A && git commit -m \"First commit\"");
        assertEquals(List.of(), aws.calls, "AWS was called for a repository with nothing to deploy");
    }

    @Test
    void environmentsAndDomainSettingsAreReadAndAWrongOneIsToldWhatToGive(@TempDir Path service) {
        Map<String, String> env = Map.of("GITHUB_REPOSITORY", "acme/x", "GITHUB_BRANCH", "main");
        Map<String, String> one = new java.util.HashMap<>(env);
        one.put("ENVIRONMENTS", "production");
        Map<String, String> wrong = new java.util.HashMap<>(env);
        wrong.put("ENVIRONMENTS", "prod");

        assertEquals(List.of(Stage.STAGING, Stage.PRODUCTION), DeliverySettings.fromGit(service, env).stages());
        assertEquals(List.of(Stage.PRODUCTION), DeliverySettings.fromGit(service, one).stages());
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        assertEquals(1, Deploy.launch(service, wrong, new PrintStream(output, true, StandardCharsets.UTF_8), "up"));
        assertContains(output.toString(StandardCharsets.UTF_8), "ENVIRONMENTS is 'prod'", "staging,production", "production");

        Map<String, String> domainAlone = new java.util.HashMap<>(env);
        domainAlone.put("DOMAIN", "api.acme.com");
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        assertEquals(1, Deploy.launch(service, domainAlone, new PrintStream(said, true, StandardCharsets.UTF_8), "up"));
        assertContains(said.toString(StandardCharsets.UTF_8), "HOSTED_ZONE_ID is ''",
                "aws route53 list-hosted-zones-by-name --dns-name api.acme.com");
        domainAlone.put("HOSTED_ZONE_ID", "Z0123456789ABC");
        assertEquals(new CustomDomain("api.acme.com", "Z0123456789ABC"), DeliverySettings.fromGit(service, domainAlone).domain());
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, git.waitFor(), String.join(" ", command) + ": " + output);
    }

    /** What a run said and its exit code. */
    private record Result(int code, String output) {
    }

    private Result run(String... args) {
        return run(SETTINGS, args);
    }

    private Result run(DeliverySettings settings, String... args) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code = new Deploy(settings, new PrintStream(output, true, StandardCharsets.UTF_8), Duration.ofMillis(1), templates)
                .run(args);
        return new Result(code, output.toString(StandardCharsets.UTF_8));
    }

    /** The calls that change stacks. */
    private List<String> changes() {
        return named(aws.calls("cloudformation")).stream()
                .filter(call -> call.contains("CreateStack") || call.contains("UpdateStack") || call.contains("DeleteStack"))
                .toList();
    }

    /** The calls, with a stack given by its id named by its name. */
    private static List<String> named(List<String> calls) {
        synchronized (calls) {
            return calls.stream()
                    .map(call -> call.replaceFirst("arn:aws:cloudformation:[^/]+:\\d+:stack/([^/]+)/.*", "$1"))
                    .toList();
        }
    }

    private static void assertContains(String output, String... parts) {
        for (String part : parts) {
            assertTrue(output.contains(part), "missing \"" + part + "\" in:\n" + output);
        }
    }
}
