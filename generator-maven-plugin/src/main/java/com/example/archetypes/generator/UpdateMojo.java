package com.example.archetypes.generator;

import com.example.archetypes.generator.TemplateMerge.Action;
import com.example.archetypes.generator.TemplateMerge.Outcome;
import org.apache.maven.artifact.versioning.ComparableVersion;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.eclipse.aether.RepositorySystem;

import javax.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./mvnw generator:update [-DtoVersion=X]}: brings a newer release's template changes into
 * this service with a three-way merge per file (base: the release the service came from, rendered
 * with its answers; ours: the working tree; theirs: the new release, rendered with the same
 * answers). Conflicts get git's inline markers. It refuses a working tree with uncommitted
 * changes, so that the update is one change git shows and can undo.
 */
@Mojo(name = "update", requiresProject = true, aggregator = true, threadSafe = true)
public class UpdateMojo extends GeneratorMojo {

    /** The release to update to; the newest in the team's repository by default. */
    @Parameter(property = "toVersion")
    private String toVersion;

    @Inject
    public UpdateMojo(RepositorySystem repositorySystem) {
        super(repositorySystem);
    }

    static final Pattern RECORDED = Pattern.compile("<" + Pattern.quote(Answers.RELEASE) + ">([^<]*)</" + Pattern.quote(Answers.RELEASE) + ">");

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Answers answers = answers();
        Releases releases = releases();
        String target = toVersion == null || toVersion.isBlank() ? releases.newest() : toVersion.strip();
        releases.requireReleased(target);
        int order = new ComparableVersion(target).compareTo(new ComparableVersion(answers.release()));
        if (order == 0) {
            getLog().info("Already at release " + target + ": nothing to do.");
            return;
        }
        if (order < 0) {
            throw new MojoFailureException("toVersion " + target + " is older than " + answers.release()
                    + ", the release this service records; update goes forward only");
        }
        try (WorkTree workTree = new WorkTree(basedir())) {
            workTree.requireClean();
            Path work = workDirectory();
            Renderer renderer = renderer();
            Tree base = walk(renderer.render(answers, work));
            Tree theirs = walk(renderer.render(answers.at(target), work));
            Tree ours = workTree.read();
            getLog().info("Updating from release " + answers.release() + " to " + target + ":");
            List<Outcome> outcomes;
            try {
                outcomes = new TemplateMerge("template " + answers.release(), "template " + target).apply(base, ours, theirs, basedir());
                record(target);
            } catch (IOException e) {
                throw new MojoExecutionException("the merge failed: " + e.getMessage()
                        + " (git checkout . && git clean -fd undoes what it wrote)", e);
            }
            for (Outcome outcome : outcomes) {
                getLog().info(String.format("  %-10s %s", outcome.action().label.split(" ")[0], outcome.path())
                        + (outcome.action().label.contains(" ") ? "  " + outcome.action().label.substring(outcome.action().label.indexOf(' ') + 1) : ""));
            }
            if (outcomes.isEmpty()) {
                getLog().info("  (the template changed nothing this service has)");
            }
            List<String> kept = outcomes.stream().filter(o -> o.action() == Action.KEPT).map(Outcome::path).toList();
            if (!kept.isEmpty()) {
                getLog().warn("Removed by the template but kept, since you changed them: " + String.join(", ", kept));
            }
            List<String> conflicts = outcomes.stream().filter(o -> o.action() == Action.CONFLICT).map(Outcome::path).toList();
            getLog().info("pom.xml now records release " + target + " (" + Answers.RELEASE + "); git diff shows the whole update.");
            if (!conflicts.isEmpty()) {
                throw new MojoFailureException(conflicts.size() + " conflicted file(s), with <<<<<<< markers: " + String.join(", ", conflicts)
                        + "; resolve them, then commit (a binary file, or one git ignores, has no markers: it was left"
                        + " as it was; compare it with the new release's by hand)");
            }
        }
    }

    private static Tree walk(Path render) throws MojoExecutionException {
        try {
            return Tree.walk(render);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot read the render " + render + ": " + e.getMessage(), e);
        }
    }

    /** The new release in pom.xml, where the merge has not written it already. */
    private void record(String target) throws IOException {
        Path pom = basedir().resolve("pom.xml");
        String text = Files.readString(pom);
        String updated = RECORDED.matcher(text).replaceAll("<" + Answers.RELEASE + ">" + Matcher.quoteReplacement(target) + "</" + Answers.RELEASE + ">");
        if (!updated.equals(text)) {
            Files.writeString(pom, updated);
        }
    }
}
