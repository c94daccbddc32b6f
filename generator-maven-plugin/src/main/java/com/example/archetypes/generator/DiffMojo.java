package com.example.archetypes.generator;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.eclipse.aether.RepositorySystem;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code ./mvnw generator:diff}: what this service changed relative to the release it came from,
 * as a patch in git's format on standard output ({@code ./mvnw -q generator:diff > drift.patch},
 * which {@code git apply} takes), and on standard error a summary of how far it has drifted. The
 * release is rendered afresh with the recorded answers.
 */
@Mojo(name = "diff", requiresProject = true, aggregator = true, threadSafe = true)
public class DiffMojo extends GeneratorMojo {

    @Inject
    public DiffMojo(RepositorySystem repositorySystem) {
        super(repositorySystem);
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Answers answers = answers();
        Tree ours;
        try (WorkTree workTree = new WorkTree(basedir())) {
            ours = workTree.read();
        }
        Path rendered = renderer().render(answers, workDirectory());
        Tree base;
        try {
            base = Tree.walk(rendered);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot read the render " + rendered + ": " + e.getMessage(), e);
        }
        GitPatch.Drift drift;
        try {
            drift = GitPatch.write(base, ours, System.out);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot write the diff: " + e.getMessage(), e);
        }
        // On standard error, so that it shows with -q and stays out of a patch redirected to a file.
        System.err.println("Drift from release " + answers.release() + ": " + drift.changed() + " file(s) changed, "
                + drift.added() + " added, " + drift.deleted() + " deleted (" + drift.linesAdded() + " lines added, "
                + drift.linesRemoved() + " removed), of " + base.files().size() + " files the release generates."
                + (drift.changed() + drift.added() + drift.deleted() == 0 ? ""
                : " The diff is a git patch: ./mvnw -q generator:diff > drift.patch, then git apply drift.patch"
                + " in a fresh render of the release puts these changes on it."));
    }
}
