package com.example.archetypes.generator;

import org.apache.maven.artifact.versioning.ComparableVersion;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.eclipse.aether.RepositorySystem;

import javax.inject.Inject;

/**
 * {@code ./mvnw generator:check}: the release this service came from, the newest release in the
 * team's repository, and what the changelog says changed in between; fails when the service is
 * behind, so that a CI job can say so.
 */
@Mojo(name = "check", requiresProject = true, aggregator = true, threadSafe = true)
public class CheckMojo extends GeneratorMojo {

    @Inject
    public CheckMojo(RepositorySystem repositorySystem) {
        super(repositorySystem);
    }

    @Override
    public void execute() throws MojoFailureException {
        Answers answers = answers();
        Releases releases = releases();
        String newest = releases.newest();
        getLog().info("This service came from release " + answers.release() + " of the service generator (pom.xml: "
                + Answers.RELEASE + ").");
        getLog().info("The newest release in " + releases.where() + " is " + newest + ".");
        if (new ComparableVersion(newest).compareTo(new ComparableVersion(answers.release())) <= 0) {
            getLog().info("Up to date.");
            return;
        }
        String entries = Releases.between(releases.changelog(newest), answers.release(), newest);
        getLog().info("What changed since " + answers.release() + " (CHANGELOG.md of " + newest + "):");
        for (String line : (entries.isEmpty() ? "(the changelog says nothing)" : entries).split("\n")) {
            getLog().info("  " + line);
        }
        throw new MojoFailureException("this service is behind: it came from " + answers.release() + ", the newest release is "
                + newest + "; ./mvnw generator:diff shows what the service changed, ./mvnw generator:update merges " + newest + " in");
    }
}
