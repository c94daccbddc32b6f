package com.example.templateservice.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.BootstraplessSynthesizer;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CDK app: the service's stacks (one per environment, then the pipeline), in the order they are
 * deployed. Synthesis needs Node.js (the CDK runs on it) but no AWS account, and no bootstrap stack:
 * the stacks have no assets, so infra/deploy hands their templates to CloudFormation directly.
 *
 * <pre>../mvnw -q compile exec:java -Dexec.mainClass=com.example.templateservice.infra.InfraApp</pre>
 * writes them to cdk.out (what {@code cdk synth} does with cdk.json), for reading or for the CDK CLI;
 * to the directory in CDK_OUTDIR when it is set, as {@code cdk synth -o DIR} sets it.
 */
public final class InfraApp {

    /** Jackson, which the CDK's own runtime (jsii) brings, reads and writes JSON without indentation. */
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private final App app;
    private final PipelineStack pipeline;
    private final List<EnvironmentStack> environments = new ArrayList<>();

    public InfraApp(DeliverySettings settings, String outdir) {
        this(settings, outdir, null);
    }

    /** With an account and region, the stacks are bound to them; without, they are account-agnostic. */
    public InfraApp(DeliverySettings settings, String outdir, Environment where) {
        app = new App(AppProps.builder().outdir(outdir).build());
        StackProps.Builder props = StackProps.builder().synthesizer(new BootstraplessSynthesizer());
        if (where != null) {
            props.env(where);
        }
        for (Stage stage : settings.stages()) {
            environments.add(new EnvironmentStack(app, settings.environmentStack(stage),
                    props.description(settings.service() + " " + stage.name()
                            + ": the Elastic Beanstalk environment behind CloudFront, MySQL and Valkey").build(),
                    settings, stage));
        }
        pipeline = new PipelineStack(app, settings.pipelineStack(),
                props.description(settings.service() + ": GitHub -> CodeBuild -> ECR -> "
                        + String.join(" -> ", settings.stages().stream().map(Stage::name).toList())).build(),
                settings);
        // The pipeline imports the environments' URLs: they must be there first.
        environments.forEach(pipeline::addDependency);
    }

    public PipelineStack pipeline() {
        return pipeline;
    }

    /** The environments' stacks, in the order they are deployed. */
    public List<EnvironmentStack> environments() {
        return List.copyOf(environments);
    }

    public EnvironmentStack environment(Stage stage) {
        return environments.stream().filter(e -> e.stage().equals(stage)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + stage.name() + " environment"));
    }

    /** Every stack's CloudFormation template, by stack name, in the order to deploy them. */
    public Map<String, String> synthesize() {
        CloudAssembly assembly = app.synth();
        Map<String, String> templates = new LinkedHashMap<>();
        List<Stack> stacks = new ArrayList<>(environments);
        stacks.add(pipeline);
        for (Stack stack : stacks) {
            try {
                // Sent without the indentation the CDK writes: CloudFormation takes 51,200 characters of
                // template body at most (without an S3 bucket to stage it in, which needs a bootstrap).
                templates.put(stack.getStackName(), COMPACT.writeValueAsString(COMPACT.readTree(
                        Files.readString(Path.of(assembly.getStackByName(stack.getStackName()).getTemplateFullPath())))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return templates;
    }

    public static void main(String[] args) {
        DeliverySettings settings = DeliverySettings.fromGit(Path.of(".."), System.getenv());
        Path outdir = writeTemplates(settings, Path.of(""), System.getenv());
        System.out.println("Wrote the templates of " + String.join(", ", settings.environmentStacks()) + " and "
                + settings.pipelineStack() + " to " + outdir);
    }

    /**
     * Synthesizes the app where the CDK CLI asks for it: CDK_OUTDIR (which {@code cdk synth -o DIR}
     * sets; the CLI reads the assembly from there and from nowhere else), else cdk.out, either one
     * relative to {@code workingDir}. Returns the directory written.
     */
    static Path writeTemplates(DeliverySettings settings, Path workingDir, Map<String, String> env) {
        String asked = env.get("CDK_OUTDIR");
        Path outdir = workingDir.resolve(asked == null || asked.isBlank() ? "cdk.out" : asked);
        new InfraApp(settings, outdir.toString()).app.synth();
        return outdir;
    }
}
