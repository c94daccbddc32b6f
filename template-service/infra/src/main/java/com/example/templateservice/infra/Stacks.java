package com.example.templateservice.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.cloudformation.model.Tag;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Creates, updates and deletes CloudFormation stacks from their templates, and shows each resource
 * as it changes. Every operation can be run again: it finds the stack as the last run left it (in
 * progress, failed, or done) and goes on from there.
 */
final class Stacks {

    /** CloudFormation takes a template of this size at most in the request itself. */
    static final int MAX_TEMPLATE_BODY = 51_200;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final CloudFormationClient cloudFormation;
    private final PrintStream out;
    private final Duration poll;

    Stacks(CloudFormationClient cloudFormation, PrintStream out, Duration poll) {
        this.cloudFormation = cloudFormation;
        this.out = out;
        this.poll = poll;
    }

    Optional<Stack> find(String name) {
        try {
            return cloudFormation.describeStacks(request -> request.stackName(name)).stacks().stream().findFirst();
        } catch (CloudFormationException e) {
            if (e.awsErrorDetails() != null && String.valueOf(e.awsErrorDetails().errorMessage()).contains("does not exist")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The stack's outputs, by key; empty if it does not exist. */
    Map<String, String> outputs(String name) {
        return find(name).map(stack -> stack.outputs().stream()
                .collect(Collectors.toMap(Output::outputKey, Output::outputValue))).orElse(Map.of());
    }

    /**
     * Creates the stack, or updates it to the template, with those of {@code parameters} the template
     * declares; waits, showing progress, until it is done.
     */
    void deploy(String name, String template, String service, Map<String, String> parameters) {
        List<Parameter> declared = declared(template, parameters);
        if (template.length() > MAX_TEMPLATE_BODY) {
            throw new DeployFailure(name + "'s template has " + template.length() + " characters; CloudFormation takes "
                    + MAX_TEMPLATE_BODY + " at most without an S3 bucket to stage it in. Make the stack smaller.");
        }
        Optional<Stack> existing = settle(name);
        if (existing.isPresent() && existing.get().stackStatus() == StackStatus.ROLLBACK_COMPLETE) {
            out.println(name + ": its creation failed last time; removing what is left of it before trying again");
            remove(name);
            existing = Optional.empty();
        }
        Instant start = Instant.now();
        if (existing.isEmpty()) {
            out.println(name + ": creating");
            cloudFormation.createStack(request -> request.stackName(name).templateBody(template).parameters(declared)
                    .capabilities(Capability.CAPABILITY_IAM, Capability.CAPABILITY_NAMED_IAM)
                    .tags(Tag.builder().key("service").value(service).build()));
        } else {
            try {
                cloudFormation.updateStack(request -> request.stackName(name).templateBody(template).parameters(declared)
                        .capabilities(Capability.CAPABILITY_IAM, Capability.CAPABILITY_NAMED_IAM)
                        .tags(Tag.builder().key("service").value(service).build()));
                out.println(name + ": updating");
            } catch (CloudFormationException e) {
                if (String.valueOf(e.awsErrorDetails().errorMessage()).contains("No updates are to be performed")) {
                    out.println(name + ": up to date, nothing to change");
                    return;
                }
                throw e;
            }
        }
        Stack done = watch(name, start);
        if (done.stackStatus() != StackStatus.CREATE_COMPLETE && done.stackStatus() != StackStatus.UPDATE_COMPLETE) {
            throw failed(name, done, start);
        }
        out.printf("%s: %s in %s%n", name, done.stackStatus(), seconds(start));
    }

    /** The parameters the template declares, with their values; CloudFormation refuses any other. */
    private static List<Parameter> declared(String template, Map<String, String> parameters) {
        try {
            JsonNode declared = new ObjectMapper().readTree(template).path("Parameters");
            return parameters.entrySet().stream().filter(parameter -> declared.has(parameter.getKey()))
                    .map(parameter -> Parameter.builder().parameterKey(parameter.getKey())
                            .parameterValue(parameter.getValue()).build())
                    .toList();
        } catch (JsonProcessingException e) {
            throw new DeployFailure("a template is not JSON: " + e.getOriginalMessage());
        }
    }

    /** Deletes the stack, if there is one, and waits until it is gone. */
    void remove(String name) {
        Optional<Stack> existing = settle(name);
        if (existing.isEmpty()) {
            out.println(name + ": not there (already removed)");
            return;
        }
        Instant start = Instant.now();
        out.println(name + ": deleting");
        cloudFormation.deleteStack(request -> request.stackName(existing.get().stackId()));
        Stack done = watchDeletion(existing.get().stackId(), start);
        if (done != null) {
            throw failed(name, done, start);
        }
        out.printf("%s: deleted in %s%n", name, seconds(start));
    }

    /** The stack once no operation is under way on it: an earlier run's, or someone else's. */
    private Optional<Stack> settle(String name) {
        Optional<Stack> stack = find(name);
        if (stack.isPresent() && inProgress(stack.get().stackStatus())) {
            out.println(name + ": " + stack.get().stackStatus() + " already under way; waiting for it to end");
            if (stack.get().stackStatus() == StackStatus.DELETE_IN_PROGRESS) {
                watchDeletion(stack.get().stackId(), Instant.now());
                return Optional.empty();
            }
            watch(name, Instant.now());
            stack = find(name);
        }
        if (stack.isPresent() && stack.get().stackStatus() == StackStatus.UPDATE_ROLLBACK_FAILED) {
            throw new DeployFailure(name + " is in UPDATE_ROLLBACK_FAILED: CloudFormation could not undo a failed update."
                    + " Fix what the stack's events name, run `aws cloudformation continue-update-rollback --stack-name "
                    + name + "`, then run this again.");
        }
        if (stack.isPresent() && stack.get().stackStatus() == StackStatus.DELETE_FAILED) {
            throw new DeployFailure(name + " is in DELETE_FAILED: " + stack.get().stackStatusReason()
                    + " Remove what holds it (see its events in the CloudFormation console), then run this again.");
        }
        return stack;
    }

    /** Shows the stack's events since {@code start} until it reaches a final status, and returns it. */
    private Stack watch(String name, Instant start) {
        Set<String> seen = new HashSet<>();
        while (true) {
            show(name, start, seen);
            Stack stack = find(name).orElseThrow(() -> new DeployFailure(name + " disappeared while it was being deployed"));
            if (!inProgress(stack.stackStatus())) {
                show(name, start, seen);
                return stack;
            }
            sleep();
        }
    }

    /** Like {@link #watch}, for a deletion; null once the stack is gone, or the stack if the deletion failed. */
    private Stack watchDeletion(String stackId, Instant start) {
        Set<String> seen = new HashSet<>();
        while (true) {
            show(stackId, start, seen);
            Stack stack = find(stackId).orElse(null);
            if (stack == null || stack.stackStatus() == StackStatus.DELETE_COMPLETE) {
                return null;
            }
            if (stack.stackStatus() == StackStatus.DELETE_FAILED) {
                return stack;
            }
            sleep();
        }
    }

    /** Prints, oldest first, the events since {@code start} not printed yet. */
    private void show(String stack, Instant start, Set<String> seen) {
        List<StackEvent> fresh = new ArrayList<>();
        for (StackEvent event : events(stack)) {
            if (!event.timestamp().isBefore(start.minusSeconds(1)) && seen.add(event.eventId())) {
                fresh.add(0, event);
            }
        }
        for (StackEvent event : fresh) {
            out.printf("  %s  %-28s %-40s %s%s%n", TIME.format(event.timestamp()), event.resourceStatusAsString(),
                    event.resourceType(), event.logicalResourceId(),
                    event.resourceStatusReason() == null || event.resourceStatusReason().isBlank() ? ""
                            : "  (" + event.resourceStatusReason() + ")");
        }
    }

    private List<StackEvent> events(String stack) {
        try {
            return cloudFormation.describeStackEvents(request -> request.stackName(stack)).stackEvents();
        } catch (CloudFormationException e) {
            return List.of(); // a stack just deleted has no events to show
        }
    }

    /** What failed, in one sentence: the first resource that failed and why, and what to do. */
    private DeployFailure failed(String name, Stack stack, Instant start) {
        List<StackEvent> events = new ArrayList<>(events(stack.stackId()));
        java.util.Collections.reverse(events);
        String cause = events.stream()
                .filter(event -> !event.timestamp().isBefore(start.minusSeconds(1)))
                .filter(event -> event.resourceStatusAsString().endsWith("_FAILED"))
                .filter(event -> event.resourceStatusReason() != null
                        && !event.resourceStatusReason().contains("cancelled"))
                .findFirst()
                .map(event -> event.logicalResourceId() + " (" + event.resourceType() + "): " + event.resourceStatusReason())
                .orElse(String.valueOf(stack.stackStatusReason()));
        return new DeployFailure(name + " ended in " + stack.stackStatus() + ". The first failure: " + cause
                + ". Fix its cause and run this again: it goes on from where this run stopped.");
    }

    private static boolean inProgress(StackStatus status) {
        return status.toString().endsWith("_IN_PROGRESS");
    }

    private void sleep() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployFailure("interrupted");
        }
    }

    private static String seconds(Instant start) {
        long seconds = Duration.between(start, Instant.now()).toSeconds();
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }
}
