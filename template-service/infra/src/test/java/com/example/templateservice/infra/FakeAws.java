package com.example.templateservice.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the AWS endpoints infra/deploy calls, on 127.0.0.1, for the real SDK to talk to
 * (through aws.endpointUrl): CloudFormation stacks that go through their statuses step by step with
 * their events, STS, ECR images, S3 object versions, a CodeConnections connection and Elastic
 * Beanstalk environments' health, Secrets Manager's secrets. It answers in
 * each service's own protocol (query and XML, JSON 1.0 and 1.1, REST and XML) and keeps every call,
 * in order, as "service:Action target".
 */
final class FakeAws implements AutoCloseable {

    static final String ACCOUNT = "123456789012";
    static final String REGION = "eu-west-1";
    private static final String CFN_XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every call, as "service:Action target", in the order they came. */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** What each stack outputs once created, by stack name. */
    final Map<String, Map<String, String>> outputs = new ConcurrentHashMap<>();
    /** Resources whose creation fails, by type (AWS::RDS::DBInstance), with the reason CloudFormation gives. */
    final Map<String, String> failingResources = new ConcurrentHashMap<>();
    /** Images by repository name, and object versions ("key version") by bucket. */
    final Map<String, List<String>> images = new ConcurrentHashMap<>();
    final Map<String, List<String>> objects = new ConcurrentHashMap<>();
    volatile String connectionStatus = "PENDING";
    /** Elastic Beanstalk environments by name: their health (Green, Red...) and deployed version label. */
    final Map<String, String[]> beanstalk = new ConcurrentHashMap<>();
    /** The parameters each stack was last created or updated with, by stack name. */
    final Map<String, Map<String, String>> parameters = new ConcurrentHashMap<>();
    /** Secrets Manager's secrets, their strings by ARN. */
    final Map<String, String> secrets = new ConcurrentHashMap<>();
    /** The id of CloudFront's origin-facing prefix list in this region. */
    static final String CLOUDFRONT_PREFIX_LIST = "pl-4fa04526";
    /** RDS snapshots by the database instance they were taken of. */
    final Map<String, List<String>> snapshots = new ConcurrentHashMap<>();

    private final Map<String, FakeStack> stacks = new LinkedHashMap<>();
    private final HttpServer server;

    FakeAws() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The calls of one service, e.g. "cloudformation". */
    List<String> calls(String service) {
        synchronized (calls) {
            return calls.stream().filter(call -> call.startsWith(service + ":")).toList();
        }
    }

    synchronized String status(String stack) {
        FakeStack found = stacks.get(stack);
        return found == null ? "none" : found.status;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // --- one stack's life ---------------------------------------------------------------------------

    private static final class FakeStack {
        final String name;
        final String id;
        String status;
        String template = "";
        final List<String[]> events = new ArrayList<>(); // logical id, type, status, reason, time, event id
        final Deque<Runnable> steps = new ArrayDeque<>();
        Map<String, String> outputs = Map.of();

        FakeStack(String name) {
            this.name = name;
            this.id = "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + name + "/" + UUID.randomUUID();
        }

        void event(String logicalId, String type, String status, String reason) {
            events.add(new String[] {logicalId, type, status, reason, Instant.now().toString(), UUID.randomUUID().toString()});
        }

        void stackEvent(String status, String reason) {
            this.status = status;
            event(name, "AWS::CloudFormation::Stack", status, reason);
        }
    }

    /** The resources of a template, logical id to type. */
    private static Map<String, String> resources(String template) {
        Map<String, String> resources = new LinkedHashMap<>();
        try {
            Iterator<Map.Entry<String, JsonNode>> fields = JSON.readTree(template).path("Resources").fields();
            fields.forEachRemaining(field -> resources.put(field.getKey(), field.getValue().path("Type").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return resources;
    }

    private void plan(FakeStack stack, String action, String template) {
        Map<String, String> resources = resources(template);
        stack.stackEvent(action + "_IN_PROGRESS", "User Initiated");
        for (Map.Entry<String, String> resource : resources.entrySet()) {
            String failure = action.equals("CREATE") ? failingResources.get(resource.getValue()) : null;
            if (failure != null) {
                stack.steps.add(() -> stack.event(resource.getKey(), resource.getValue(), "CREATE_IN_PROGRESS", ""));
                stack.steps.add(() -> stack.event(resource.getKey(), resource.getValue(), "CREATE_FAILED", failure));
                stack.steps.add(() -> stack.stackEvent("ROLLBACK_IN_PROGRESS",
                        "The following resource(s) failed to create: [" + resource.getKey() + "]. Rollback requested by user."));
                stack.steps.add(() -> stack.stackEvent("ROLLBACK_COMPLETE", ""));
                return;
            }
            stack.steps.add(() -> stack.event(resource.getKey(), resource.getValue(), action + "_IN_PROGRESS", ""));
            stack.steps.add(() -> stack.event(resource.getKey(), resource.getValue(), action + "_COMPLETE", ""));
        }
        stack.steps.add(() -> {
            stack.template = template;
            stack.outputs = outputs.getOrDefault(stack.name, Map.of());
            stack.stackEvent(action + "_COMPLETE", "");
        });
    }

    // --- the endpoints ------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        Matcher scope = Pattern.compile("Credential=[^/]+/[^/]+/[^/]+/([^/]+)/").matcher(auth);
        String service = scope.find() ? scope.group(1) : "unknown";
        try {
            switch (service) {
                case "cloudformation" -> cloudFormation(exchange, form(body));
                case "sts" -> sts(exchange, form(body));
                case "elasticbeanstalk" -> beanstalk(exchange, form(body));
                case "rds" -> rds(exchange, form(body));
                case "ec2" -> ec2(exchange, form(body));
                case "ecr" -> ecr(exchange, target(exchange), JSON.readTree(body));
                case "codeconnections" -> codeConnections(exchange, target(exchange), JSON.readTree(body));
                case "s3" -> s3(exchange, body);
                case "secretsmanager" -> secretsManager(exchange, target(exchange), JSON.readTree(body));
                default -> respond(exchange, 400, "text/plain", "no such service: " + service);
            }
        } catch (RuntimeException e) {
            respond(exchange, 500, "text/plain", e.toString());
        }
    }

    private synchronized void cloudFormation(HttpExchange exchange, Map<String, String> form) throws IOException {
        String action = form.get("Action");
        String name = form.getOrDefault("StackName", "");
        calls.add("cloudformation:" + action + " " + name);
        FakeStack stack = stack(name);
        switch (action) {
            case "DescribeStacks" -> {
                if (stack == null || stack.status.equals("DELETE_COMPLETE") && !name.startsWith("arn:")) {
                    cfnError(exchange, "ValidationError", "Stack with id " + name + " does not exist");
                    return;
                }
                if (!stack.steps.isEmpty()) {
                    stack.steps.poll().run();
                }
                cfnOk(exchange, "DescribeStacks", "<Stacks><member>" + describe(stack) + "</member></Stacks>");
            }
            case "DescribeStackEvents" -> {
                if (stack == null) {
                    cfnError(exchange, "ValidationError", "Stack [" + name + "] does not exist");
                    return;
                }
                StringBuilder members = new StringBuilder();
                for (int i = stack.events.size() - 1; i >= 0; i--) {
                    String[] e = stack.events.get(i);
                    members.append("<member><EventId>").append(e[5]).append("</EventId><StackId>").append(stack.id)
                            .append("</StackId><StackName>").append(stack.name).append("</StackName><LogicalResourceId>")
                            .append(e[0]).append("</LogicalResourceId><ResourceType>").append(e[1])
                            .append("</ResourceType><Timestamp>").append(e[4]).append("</Timestamp><ResourceStatus>")
                            .append(e[2]).append("</ResourceStatus><ResourceStatusReason>").append(xml(e[3]))
                            .append("</ResourceStatusReason></member>");
                }
                cfnOk(exchange, "DescribeStackEvents", "<StackEvents>" + members + "</StackEvents>");
            }
            case "CreateStack" -> {
                if (stack != null && !stack.status.equals("DELETE_COMPLETE")) {
                    cfnError(exchange, "AlreadyExistsException", "Stack [" + name + "] already exists");
                    return;
                }
                parameters.put(name, parameters(form));
                FakeStack created = new FakeStack(name);
                stacks.put(name, created);
                plan(created, "CREATE", form.get("TemplateBody"));
                cfnOk(exchange, "CreateStack", "<StackId>" + created.id + "</StackId>");
            }
            case "UpdateStack" -> {
                if (stack == null || stack.status.endsWith("_IN_PROGRESS") || stack.status.equals("ROLLBACK_COMPLETE")) {
                    cfnError(exchange, "ValidationError", "Stack:" + name + " is in " + (stack == null ? "no" : stack.status)
                            + " state and can not be updated.");
                    return;
                }
                if (stack.template.equals(form.get("TemplateBody"))) {
                    cfnError(exchange, "ValidationError", "No updates are to be performed.");
                    return;
                }
                parameters.put(name, parameters(form));
                plan(stack, "UPDATE", form.get("TemplateBody"));
                cfnOk(exchange, "UpdateStack", "<StackId>" + stack.id + "</StackId>");
            }
            case "DeleteStack" -> {
                if (stack != null && !stack.status.equals("DELETE_COMPLETE")) {
                    stack.steps.clear();
                    stack.stackEvent("DELETE_IN_PROGRESS", "User Initiated");
                    resources(stack.template.isEmpty() ? "{}" : stack.template).forEach((id, type) -> {
                        stack.steps.add(() -> stack.event(id, type, "DELETE_IN_PROGRESS", ""));
                        stack.steps.add(() -> stack.event(id, type, "DELETE_COMPLETE", ""));
                    });
                    stack.steps.add(() -> stack.stackEvent("DELETE_COMPLETE", ""));
                }
                cfnOk(exchange, "DeleteStack", "");
            }
            default -> cfnError(exchange, "InvalidAction", "no such action: " + action);
        }
    }

    private FakeStack stack(String nameOrId) {
        for (FakeStack stack : stacks.values()) {
            if (stack.name.equals(nameOrId) || stack.id.equals(nameOrId)) {
                return stack;
            }
        }
        return null;
    }

    private static String describe(FakeStack stack) {
        StringBuilder outputs = new StringBuilder();
        stack.outputs.forEach((key, value) -> outputs.append("<member><OutputKey>").append(key)
                .append("</OutputKey><OutputValue>").append(xml(value)).append("</OutputValue></member>"));
        return "<StackName>" + stack.name + "</StackName><StackId>" + stack.id + "</StackId><CreationTime>"
                + stack.events.get(0)[4] + "</CreationTime><StackStatus>" + stack.status + "</StackStatus><Outputs>"
                + outputs + "</Outputs>";
    }

    private void sts(HttpExchange exchange, Map<String, String> form) throws IOException {
        calls.add("sts:" + form.get("Action"));
        respond(exchange, 200, "text/xml", "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult><Arn>arn:aws:iam::" + ACCOUNT + ":user/test</Arn><UserId>AIDTEST</UserId>"
                + "<Account>" + ACCOUNT + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>"
                + UUID.randomUUID() + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
    }

    private void beanstalk(HttpExchange exchange, Map<String, String> form) throws IOException {
        String name = form.getOrDefault("EnvironmentNames.member.1", "");
        calls.add("elasticbeanstalk:" + form.get("Action") + " " + name);
        String[] environment = beanstalk.get(name);
        String member = environment == null ? "" : "<member><EnvironmentName>" + name + "</EnvironmentName><Status>Ready"
                + "</Status><Health>" + environment[0] + "</Health><VersionLabel>" + environment[1] + "</VersionLabel></member>";
        respond(exchange, 200, "text/xml", "<DescribeEnvironmentsResponse xmlns=\"http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/\">"
                + "<DescribeEnvironmentsResult><Environments>" + member + "</Environments></DescribeEnvironmentsResult>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></DescribeEnvironmentsResponse>");
    }

    /** The Parameters.member.N.ParameterKey/ParameterValue of a request, as key to value. */
    private static Map<String, String> parameters(Map<String, String> form) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int n = 1; form.containsKey("Parameters.member." + n + ".ParameterKey"); n++) {
            parameters.put(form.get("Parameters.member." + n + ".ParameterKey"), form.get("Parameters.member." + n + ".ParameterValue"));
        }
        return parameters;
    }

    private void ec2(HttpExchange exchange, Map<String, String> form) throws IOException {
        calls.add("ec2:" + form.get("Action") + " " + form.getOrDefault("Filter.1.Value.1", ""));
        String list = "com.amazonaws.global.cloudfront.origin-facing".equals(form.get("Filter.1.Value.1"))
                ? "<item><prefixListId>" + CLOUDFRONT_PREFIX_LIST + "</prefixListId><prefixListName>"
                        + form.get("Filter.1.Value.1") + "</prefixListName><ownerId>AWS</ownerId></item>"
                : "";
        respond(exchange, 200, "text/xml", "<DescribeManagedPrefixListsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>" + UUID.randomUUID() + "</requestId><prefixListSet>" + list + "</prefixListSet>"
                + "</DescribeManagedPrefixListsResponse>");
    }

    private void rds(HttpExchange exchange, Map<String, String> form) throws IOException {
        String instance = form.getOrDefault("DBInstanceIdentifier", "");
        calls.add("rds:" + form.get("Action") + " " + instance);
        StringBuilder members = new StringBuilder();
        for (String snapshot : snapshots.getOrDefault(instance, List.of())) {
            members.append("<DBSnapshot><DBSnapshotIdentifier>").append(snapshot).append("</DBSnapshotIdentifier>")
                    .append("<DBInstanceIdentifier>").append(instance).append("</DBInstanceIdentifier><SnapshotType>manual")
                    .append("</SnapshotType><AllocatedStorage>20</AllocatedStorage><SnapshotCreateTime>2026-12-02T05:00:00Z")
                    .append("</SnapshotCreateTime></DBSnapshot>");
        }
        respond(exchange, 200, "text/xml", "<DescribeDBSnapshotsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
                + "<DescribeDBSnapshotsResult><DBSnapshots>" + members + "</DBSnapshots></DescribeDBSnapshotsResult>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></DescribeDBSnapshotsResponse>");
    }

    private void ecr(HttpExchange exchange, String action, JsonNode request) throws IOException {
        String repository = request.path("repositoryName").asText();
        calls.add("ecr:" + action + " " + repository);
        List<String> digests = images.get(repository);
        String json = "application/x-amz-json-1.1";
        if (digests == null) {
            respond(exchange, 400, json, "{\"__type\":\"RepositoryNotFoundException\","
                    + "\"message\":\"The repository with name '" + repository + "' does not exist\"}");
        } else if (action.equals("ListImages")) {
            String ids = String.join(",", digests.stream().map(d -> "{\"imageDigest\":\"" + d + "\"}").toList());
            respond(exchange, 200, json, "{\"imageIds\":[" + ids + "]}");
        } else {
            request.path("imageIds").forEach(id -> digests.remove(id.path("imageDigest").asText()));
            respond(exchange, 200, json, "{\"imageIds\":" + request.path("imageIds") + ",\"failures\":[]}");
        }
    }

    private void codeConnections(HttpExchange exchange, String action, JsonNode request) throws IOException {
        calls.add("codeconnections:" + action);
        String arn = request.path("ConnectionArn").asText();
        respond(exchange, 200, "application/x-amz-json-1.0", "{\"Connection\":{\"ConnectionArn\":\"" + arn
                + "\",\"ConnectionName\":\"test\",\"ConnectionStatus\":\"" + connectionStatus + "\",\"ProviderType\":\"GitHub\"}}");
    }

    private void secretsManager(HttpExchange exchange, String action, JsonNode request) throws IOException {
        String id = request.path("SecretId").asText();
        calls.add("secretsmanager:" + action + " " + id);
        String json = "application/x-amz-json-1.1";
        String value = secrets.get(id);
        if (!action.equals("GetSecretValue") || value == null) {
            respond(exchange, 400, json, "{\"__type\":\"ResourceNotFoundException\","
                    + "\"message\":\"Secrets Manager can't find the specified secret.\"}");
            return;
        }
        respond(exchange, 200, json, JSON.writeValueAsString(Map.of("ARN", id, "Name", "caller", "SecretString", value,
                "VersionId", UUID.randomUUID().toString())));
    }

    private void s3(HttpExchange exchange, String body) throws IOException {
        String bucket = exchange.getRequestURI().getPath().replaceAll("^/([^/]+).*", "$1");
        String query = String.valueOf(exchange.getRequestURI().getQuery());
        String action = query.contains("versions") ? "ListObjectVersions" : query.contains("delete") ? "DeleteObjects" : "Other";
        calls.add("s3:" + action + " " + bucket);
        List<String> versions = objects.get(bucket);
        if (versions == null) {
            respond(exchange, 404, "application/xml", "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not"
                    + " exist</Message><BucketName>" + bucket + "</BucketName></Error>");
            return;
        }
        if (action.equals("ListObjectVersions")) {
            StringBuilder xml = new StringBuilder("<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>")
                    .append(bucket).append("</Name><IsTruncated>false</IsTruncated>");
            for (String version : versions) {
                String[] parts = version.split(" ");
                xml.append("<Version><Key>").append(parts[0]).append("</Key><VersionId>").append(parts[1])
                        .append("</VersionId><IsLatest>true</IsLatest></Version>");
            }
            respond(exchange, 200, "application/xml", xml.append("</ListVersionsResult>").toString());
        } else if (action.equals("DeleteObjects")) {
            Matcher object = Pattern.compile("<Key>([^<]*)</Key><VersionId>([^<]*)</VersionId>").matcher(body);
            while (object.find()) {
                versions.remove(object.group(1) + " " + object.group(2));
            }
            respond(exchange, 200, "application/xml", "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");
        } else {
            respond(exchange, 400, "application/xml", "<Error><Code>NotImplemented</Code><Message>" + query + "</Message></Error>");
        }
    }

    // --- wire formats -------------------------------------------------------------------------------

    private static void cfnOk(HttpExchange exchange, String action, String result) throws IOException {
        respond(exchange, 200, "text/xml", "<" + action + "Response xmlns=\"" + CFN_XMLNS + "\"><" + action + "Result>"
                + result + "</" + action + "Result><ResponseMetadata><RequestId>" + UUID.randomUUID()
                + "</RequestId></ResponseMetadata></" + action + "Response>");
    }

    private static void cfnError(HttpExchange exchange, String code, String message) throws IOException {
        respond(exchange, 400, "text/xml", "<ErrorResponse xmlns=\"" + CFN_XMLNS + "\"><Error><Type>Sender</Type><Code>"
                + code + "</Code><Message>" + xml(message) + "</Message></Error><RequestId>" + UUID.randomUUID()
                + "</RequestId></ErrorResponse>");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String target(HttpExchange exchange) {
        String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
        return target.substring(target.lastIndexOf('.') + 1);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
