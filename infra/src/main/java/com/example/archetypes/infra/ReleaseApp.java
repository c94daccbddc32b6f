package com.example.archetypes.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.BootstraplessSynthesizer;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app of the generator's releases (see {@link ReleaseStack}). The stack has no assets, so it
 * deploys without a bootstrap stack:
 *
 * <pre>cd infra && GITHUB_REPOSITORY=owner/name npx aws-cdk@2 deploy</pre>
 */
public final class ReleaseApp {

    private ReleaseApp() {
    }

    public static void main(String[] args) {
        String repository = System.getenv("GITHUB_REPOSITORY");
        if (repository == null || !repository.matches("[\\w.-]+/[\\w.-]+")) {
            System.err.println("Set GITHUB_REPOSITORY=owner/name: the GitHub repository whose tags are released");
            System.exit(2);
        }
        App app = new App();
        new ReleaseStack(app, "service-generator-release", StackProps.builder()
                .synthesizer(new BootstraplessSynthesizer())
                .description("The service generator's releases: CodeArtifact, and the pipeline that publishes tags")
                .build(), repository);
        app.synth();
    }
}
