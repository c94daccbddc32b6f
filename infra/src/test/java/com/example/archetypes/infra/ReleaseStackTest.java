package com.example.archetypes.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.BootstraplessSynthesizer;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release stack, synthesized offline: a CodeArtifact repository with Maven Central upstream, a
 * pipeline started by tags, narrow roles, and cdk-nag's AWS Solutions rules with nothing unsuppressed.
 */
class ReleaseStackTest {

    private final ReleaseStack stack = stack();
    private final Template template = Template.fromStack(stack);

    @Test
    void releasesGoToACodeArtifactRepositoryWithMavenCentralBehindIt() {
        template.hasResourceProperties("AWS::CodeArtifact::Domain", Map.of("DomainName", ReleaseStack.DOMAIN));
        template.hasResourceProperties("AWS::CodeArtifact::Repository", Match.objectLike(Map.of(
                "RepositoryName", "maven-central-store", "ExternalConnections", List.of("public:maven-central"))));
        template.hasResourceProperties("AWS::CodeArtifact::Repository", Match.objectLike(Map.of(
                "RepositoryName", ReleaseStack.REPOSITORY, "Upstreams", Match.anyValue())));
    }

    @Test
    void aTagStartsThePipelineThatRunsTheBuildspec() {
        template.hasResourceProperties("AWS::CodePipeline::Pipeline", Match.objectLike(Map.of(
                "PipelineType", "V2",
                "ExecutionMode", "QUEUED",
                "Triggers", List.of(Match.objectLike(Map.of("GitConfiguration", Match.objectLike(Map.of(
                        "Push", List.of(Map.of("Tags", Map.of("Includes", List.of("v*"))))))))))));
        template.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Environment", Match.objectLike(Map.of("PrivilegedMode", true,
                        "Image", "public.ecr.aws/docker/library/debian:bookworm")),
                "Source", Match.objectLike(Map.of("BuildSpec", "buildspec.yml")))));
    }

    @Test
    void everyPolicyIsNarrow() {
        for (Map<String, Object> policy : template.findResources("AWS::IAM::Policy").values()) {
            for (Object statement : (List<?>) ((Map<?, ?>) ((Map<?, ?>) policy.get("Properties")).get("PolicyDocument")).get("Statement")) {
                Map<?, ?> fields = (Map<?, ?>) statement;
                List<?> actions = fields.get("Action") instanceof List<?> list ? list : List.of(fields.get("Action"));
                actions.forEach(action -> assertTrue(!"*".equals(action) && !String.valueOf(action).endsWith(":*"),
                        "a wildcard action: " + statement));
                if ("*".equals(fields.get("Resource"))) {
                    assertEquals(List.of("sts:GetServiceBearerToken"), actions, "actions on any resource: " + statement);
                    assertTrue(fields.containsKey("Condition"), "the bearer token without its condition: " + statement);
                }
            }
        }
    }

    @Test
    void cdkNagFindsNothingUnsuppressed() {
        ReleaseStack checked = stack();
        Aspects.of(checked).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        Annotations annotations = Annotations.fromStack(checked);
        List<String> findings = new ArrayList<>();
        annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")).forEach(m -> findings.add(m.getId() + ": " + String.valueOf(m.getEntry().getData()).split(":")[0]));
        annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")).forEach(m -> findings.add(m.getId() + ": " + String.valueOf(m.getEntry().getData()).split(":")[0]));

        assertEquals(List.of(), findings);
    }

    private static ReleaseStack stack() {
        return new ReleaseStack(new App(), "service-generator-release",
                StackProps.builder().synthesizer(new BootstraplessSynthesizer()).build(), "acme/service-generator");
    }
}
