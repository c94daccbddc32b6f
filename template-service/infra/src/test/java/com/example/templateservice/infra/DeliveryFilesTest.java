package com.example.templateservice.infra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files that deliver the service, read as CircleCI, CodeBuild and Elastic Beanstalk read them:
 * CI runs the README's own commands and the Dockerfile, CodeBuild logs in to ECR the v2 way, tests
 * before it pushes, and writes a bundle whose web and worker run one image pinned by digest; the
 * pipeline's smoke test runs deploy/smoke-test.sh, which passes against a working service and names
 * the check that fails against a broken one.
 */
class DeliveryFilesTest {

    /** The service's directory: the tests run in infra/. */
    private static final Path SERVICE = Path.of("..").toAbsolutePath().normalize();

    @Test
    void circleCiRunsTheReadmesCommandsAgainstMysqlAndRedisAndBuildsTheDockerfile() throws IOException {
        Map<String, Object> jobs = map(yaml(".circleci/config.yml").get("jobs"));

        List<String> test = commands(jobs.get("test"));
        assertTrue(test.stream().map(DeliveryFilesTest::withoutBatchFlags).toList().contains(readmeCommand("ci: test command")),
                "the test job does not run the README's test command: " + test);
        assertTrue(test.stream().anyMatch(c -> c.contains("tcp://localhost:3306") && c.contains("tcp://localhost:6379")),
                "the test job does not wait for MySQL and Redis: " + test);
        String images = String.valueOf(map(jobs.get("test")).get("docker"));
        assertTrue(images.contains("cimg/openjdk:25") && images.contains("cimg/mysql:8.4") && images.contains("cimg/redis"),
                "the test job's images: " + images);
        assertTrue(map(jobs.get("test")).get("steps").toString().contains("store_test_results"), "no test results stored");

        assertTrue(commands(jobs.get("image")).stream().anyMatch(c -> c.startsWith("docker build") && c.endsWith(" .")),
                "the image job does not build the Dockerfile: " + commands(jobs.get("image")));
        assertTrue(commands(jobs.get("infra")).stream().map(DeliveryFilesTest::withoutBatchFlags).toList()
                        .contains(readmeCommand("ci: infra command")),
                "the infra job does not run the README's infra command: " + commands(jobs.get("infra")));
        assertEquals(Map.of("build", Map.of("jobs", List.of("test", "image", "infra"))), yaml(".circleci/config.yml").get("workflows"));
    }

    @Test
    void codeBuildLogsInTheV2WayTestsBeforeItPushesAndBundlesTheImageByDigest() throws IOException {
        Map<String, Object> buildspec = yaml("buildspec.yml");
        Map<String, Object> phases = map(buildspec.get("phases"));
        List<String> preBuild = strings(map(phases.get("pre_build")).get("commands"));
        List<String> build = strings(map(phases.get("build")).get("commands"));
        List<String> postBuild = strings(map(phases.get("post_build")).get("commands"));

        assertEquals(0.2, buildspec.get("version"));
        assertTrue(preBuild.stream().anyMatch(c -> c.matches("aws ecr get-login-password .*\\| docker login --username AWS --password-stdin .*")),
                "no ECR login with get-login-password: " + preBuild);
        assertFalse(String.join("\n", preBuild).contains("ecr get-login "), "the v1 ECR login, removed from the CLI v2");
        assertTrue(String.join("\n", preBuild).contains("public.ecr.aws") || buildspec.toString().contains("public.ecr.aws"),
                "the test servers do not come from ECR Public");
        assertEquals(withoutBatchFlags(readmeCommand("ci: test command")), withoutBatchFlags(build.get(0)),
                "the build's first step is not the README's test command");
        assertTrue(build.get(1).startsWith("docker build ") && build.get(1).endsWith(" .")
                && build.get(1).contains("VERSION=") && build.get(1).contains("REVISION="), "no docker build with VERSION and REVISION: " + build);
        assertEquals("test \"$CODEBUILD_BUILD_SUCCEEDING\" = 1", postBuild.get(0), "the push does not wait for a passing build");
        assertTrue(postBuild.get(1).startsWith("docker push"), postBuild.toString());
        assertTrue(postBuild.get(2).contains(".RepoDigests"), "the image is not taken by its digest: " + postBuild);
        assertEquals("deploy/bundle.sh \"$IMAGE\" bundle", postBuild.get(3));
        assertEquals("bundle", map(buildspec.get("artifacts")).get("base-directory"));
    }

    @Test
    void theBundleRunsWebAndWorkerFromOneImage() throws IOException {
        Map<String, Object> services = map(yaml("deploy/docker-compose.yml").get("services"));

        assertEquals(Set.of("web", "worker"), services.keySet());
        assertEquals("__IMAGE__", map(services.get("web")).get("image"));
        assertEquals("__IMAGE__", map(services.get("worker")).get("image"));
        assertEquals("web", map(services.get("web")).get("command"));
        assertEquals("worker", map(services.get("worker")).get("command"));
        assertEquals(List.of("80:8080"), map(services.get("web")).get("ports"));
        assertFalse(map(services.get("worker")).containsKey("ports"));
    }

    @Test
    void bundleShPinsTheImageByDigestAndRefusesATag(@TempDir Path out) throws Exception {
        String image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/" + DeliverySettings.SERVICE
                + "@sha256:" + "ab".repeat(32);

        assertEquals(0, bundle(image, out));
        Map<String, Object> services = map(new Yaml().<Map<String, Object>>load(
                Files.readString(out.resolve("docker-compose.yml"))).get("services"));
        assertEquals(image, map(services.get("web")).get("image"));
        assertEquals(image, map(services.get("worker")).get("image"));
        assertEquals(Files.readString(SERVICE.resolve("deploy/.ebextensions/backlog-scaling.config")),
                Files.readString(out.resolve(".ebextensions/backlog-scaling.config")), "the bundle lacks the backlog scaling");

        assertNotEquals(0, bundle("123456789012.dkr.ecr.eu-west-1.amazonaws.com/service:latest", out.resolve("tagged")));
        assertFalse(Files.exists(out.resolve("tagged")), "a bundle for an image not pinned by digest");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBundleScalesTheEnvironmentsAutoScalingGroupOnTheOldestWaitingJobOfItsOwnNamespace() throws IOException {
        Map<String, Object> resources = map(yaml("deploy/.ebextensions/backlog-scaling.config").get("Resources"));
        Map<String, Object> policy = map(map(resources.get("BacklogScaleOut")).get("Properties"));
        assertEquals("AWS::AutoScaling::ScalingPolicy", map(resources.get("BacklogScaleOut")).get("Type"));
        // Elastic Beanstalk's own group, by the logical name it gives it.
        assertEquals(Map.of("Ref", "AWSEBAutoScalingGroup"), policy.get("AutoScalingGroupName"));
        assertEquals(List.of(Map.of("MetricIntervalLowerBound", 0, "ScalingAdjustment", 1)), policy.get("StepAdjustments"));

        Map<String, Object> alarm = map(map(resources.get("BacklogWaitsTooLong")).get("Properties"));
        assertEquals(ServiceMetrics.OLDEST_WAITING_AGE, alarm.get("MetricName"), "not the metric the service publishes");
        // Namespace and threshold are the options infra/ sets on the environment (StacksTest checks those).
        assertEquals(Map.of("Fn::GetOptionSetting", Map.of("OptionName", "MetricsNamespace")), alarm.get("Namespace"));
        assertEquals(Map.of("Fn::GetOptionSetting", Map.of("OptionName", "BacklogScaleOutSeconds",
                "DefaultValue", String.valueOf(EnvironmentStack.BACKLOG_SCALE_OUT_SECONDS))), alarm.get("Threshold"));
        assertEquals("Maximum", alarm.get("Statistic"));
        assertEquals(List.of(Map.of("Ref", "BacklogScaleOut")), alarm.get("AlarmActions"));

        // Scaling in: an instance fewer only while no job waits and the CPU is low, both together.
        Map<String, Object> scaleIn = map(map(resources.get("BacklogScaleIn")).get("Properties"));
        assertEquals(Map.of("Ref", "AWSEBAutoScalingGroup"), scaleIn.get("AutoScalingGroupName"));
        assertEquals(List.of(Map.of("MetricIntervalLowerBound", 0, "ScalingAdjustment", -1)), scaleIn.get("StepAdjustments"));
        Map<String, Object> quiet = map(map(resources.get("QueueAndCpuQuiet")).get("Properties"));
        assertEquals(List.of(Map.of("Ref", "BacklogScaleIn")), quiet.get("AlarmActions"));
        List<Map<String, Object>> metrics = (List<Map<String, Object>>) (List<?>) quiet.get("Metrics");
        Map<String, Object> age = map(map(metrics.get(0).get("MetricStat")).get("Metric"));
        assertEquals(ServiceMetrics.OLDEST_WAITING_AGE, age.get("MetricName"));
        assertEquals(Map.of("Fn::GetOptionSetting", Map.of("OptionName", "MetricsNamespace")), age.get("Namespace"));
        Map<String, Object> cpu = map(map(metrics.get(1).get("MetricStat")).get("Metric"));
        assertEquals("CPUUtilization", cpu.get("MetricName"));
        assertEquals(List.of(Map.of("Name", "AutoScalingGroupName", "Value", Map.of("Ref", "AWSEBAutoScalingGroup"))),
                cpu.get("Dimensions"));
        assertEquals("IF(age == 0 AND cpu < 20, 1, 0)", metrics.get(2).get("Expression"));
        assertEquals(true, metrics.get(2).get("ReturnData"));
    }

    @Test
    void thePipelinesSmokeTestGetsATokenAsACallerDoesThenRunsTheRepositorysScriptAgainstTheUrlItIsGiven() throws Exception {
        Map<String, Object> buildspec = yaml("deploy/smoke-test-buildspec.yml");
        assertEquals(0.2, buildspec.get("version"));
        List<String> commands = strings(map(map(buildspec.get("phases")).get("build")).get("commands"));
        assertEquals(1, commands.size(), String.valueOf(commands));

        try (StubService service = new StubService()) {
            service.requiredToken = "tok-1";
            Smoke passed = run(commands.get(0), service, "s3cr3t");
            Smoke refused = run(commands.get(0), service, "an-old-secret");

            assertEquals(0, passed.code(), passed.output());
            assertTrue(passed.output().contains("all 3 checks passed"), passed.output());
            assertEquals("client-1:s3cr3t grant_type=client_credentials&scope=template-service%2Fjobs%3Awrite+template-service%2Fjobs%3Aread",
                    service.tokenRequests.get(0));
            // No token, no smoke test: the action fails before any check.
            assertTrue(refused.code() != 0, refused.output());
            assertFalse(refused.output().contains("checks passed"), refused.output());
        }
    }

    /** The build command, as CodeBuild runs it (sh, in the repository), with the variables the project sets. */
    private static Smoke run(String command, StubService service, String secret) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(SERVICE.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("SERVICE_URL", service.url(), "CALLER_ID", "client-1", "CALLER_SECRET", secret,
                "TOKEN_URL", service.url() + "/oauth2/token",
                "TOKEN_SCOPE", "template-service/jobs:write template-service/jobs:read", "SMOKE_JOB_SECONDS", "2"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Smoke(process.exitValue(), output);
    }

    @Test
    void theSmokeTestPassesAgainstAWorkingServiceAndNamesTheCheckThatFails() throws Exception {
        try (StubService service = new StubService()) {
            Smoke passed = smoke(service.url());
            assertEquals(0, passed.code(), passed.output());
            assertTrue(passed.output().contains("all 3 checks passed"), passed.output());
            assertTrue(service.jobPosted, "no job was posted");

            service.jobStatus = "QUEUED"; // as when no worker runs
            Smoke noWorker = smoke(service.url());
            assertEquals(1, noWorker.code(), noWorker.output());
            assertTrue(noWorker.output().contains("FAILED at \"a job queued and done\"")
                    && noWorker.output().contains("is a worker running?"), noWorker.output());

            service.page = "<h1>Internal error</h1>";
            Smoke noPage = smoke(service.url());
            assertEquals(1, noPage.code(), noPage.output());
            assertTrue(noPage.output().contains("FAILED at \"the page\""), noPage.output());

            service.readiness = 503;
            Smoke notReady = smoke(service.url());
            assertEquals(1, notReady.code(), notReady.output());
            assertTrue(notReady.output().contains("FAILED at \"readiness\": GET /health/readiness answered 503"),
                    notReady.output());
        }
    }

    private record Smoke(int code, String output) {
    }

    private static Smoke smoke(String url) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", SERVICE.resolve("deploy/smoke-test.sh").toString(), url)
                .redirectErrorStream(true);
        builder.environment().put("SMOKE_JOB_SECONDS", "2");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Smoke(process.exitValue(), output);
    }

    /** The service's three answers the smoke test reads, on 127.0.0.1, each one changeable to a broken one. */
    private static final class StubService implements AutoCloseable {

        final HttpServer server;
        volatile int readiness = 200;
        volatile String page = "<h1>Hello, World</h1><p>Visits: <span id=\"visits\">7</span></p>";
        volatile String jobStatus = "DONE";
        volatile boolean jobPosted;
        /** The bearer token /jobs takes, or null for none; the token endpoint issues it to client-1:s3cr3t. */
        volatile String requiredToken;
        final List<String> tokenRequests = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        StubService() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/health/readiness", exchange -> answer(exchange, readiness, "{\"status\":\""
                    + (readiness == 200 ? "UP" : "DOWN") + "\"}"));
            server.createContext("/oauth2/token", exchange -> {
                String basic = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).replaceFirst("^Basic ", "");
                String client = new String(java.util.Base64.getDecoder().decode(basic), StandardCharsets.UTF_8);
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                tokenRequests.add(client + " " + body);
                boolean known = client.equals("client-1:s3cr3t");
                answer(exchange, known ? 200 : 400, known ? "{\"access_token\":\"" + requiredToken
                        + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}" : "{\"error\":\"invalid_client\"}");
            });
            server.createContext("/jobs", exchange -> {
                if (requiredToken != null && !("Bearer " + requiredToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    answer(exchange, 401, "{\"status\":401}");
                } else if (exchange.getRequestMethod().equals("POST")) {
                    jobPosted = true;
                    answer(exchange, 202, "{\"id\":\"j-1\",\"status\":\"QUEUED\"}");
                } else {
                    answer(exchange, 200, "{\"id\":\"j-1\",\"status\":\"" + jobStatus + "\"}");
                }
            });
            server.createContext("/", exchange -> answer(exchange, 200, page));
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private static void answer(HttpExchange exchange, int status, String body) throws IOException {
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static int bundle(String image, Path out) throws Exception {
        Process process = new ProcessBuilder("sh", SERVICE.resolve("deploy/bundle.sh").toString(), image, out.toString())
                .redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.exitValue();
    }

    /** The command in the fenced block after the marker {@code <!-- MARKER -->} in the service's README. */
    private static String readmeCommand(String marker) throws IOException {
        List<String> lines = Files.readAllLines(SERVICE.resolve("README.md"), StandardCharsets.UTF_8);
        int at = lines.indexOf("<!-- " + marker + " -->");
        assertTrue(at >= 0 && lines.get(at + 1).startsWith("```"), "README.md has no block after <!-- " + marker + " -->");
        return lines.get(at + 2).strip();
    }

    /** The command as a person types it: CI adds -B (batch mode) and -ntp (no transfer progress). */
    private static String withoutBatchFlags(String command) {
        return List.of(command.split(" ")).stream().filter(word -> !word.equals("-B") && !word.equals("-ntp"))
                .collect(Collectors.joining(" "));
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(SERVICE.resolve(file)));
    }

    /** The commands of a CircleCI job's run steps. */
    private static List<String> commands(Object job) {
        return ((List<?>) map(job).get("steps")).stream()
                .filter(step -> step instanceof Map<?, ?> m && m.containsKey("run"))
                .map(step -> ((Map<?, ?>) step).get("run"))
                .map(run -> run instanceof Map<?, ?> m ? String.valueOf(m.get("command")) : String.valueOf(run))
                .map(String::strip)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static List<String> strings(Object value) {
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }
}
