package com.example.archetypes.generator;

import com.example.archetypes.generator.Tree.FileState;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

import javax.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code ./mvnw generator:diff}: what this service changed relative to the release it came from,
 * as a unified diff (on standard output: {@code ./mvnw -q generator:diff > drift.patch}), and a
 * summary of how far it has drifted. The release is rendered afresh with the recorded answers.
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
        Set<String> paths = new TreeSet<>(base.files().keySet());
        paths.addAll(ours.files().keySet());
        int changed = 0, added = 0, deleted = 0, insertions = 0, deletions = 0;
        PrintStream out = System.out;
        for (String path : paths) {
            FileState b = base.get(path), o = ours.get(path);
            if (b != null && b.sameAs(o)) {
                continue;
            }
            if (b == null) {
                added++;
            } else if (o == null) {
                deleted++;
            } else {
                changed++;
            }
            out.println("diff --generator a/" + path + " b/" + path);
            if (b != null && o != null && b.executable() != o.executable()) {
                out.println("old mode " + (b.executable() ? "100755" : "100644"));
                out.println("new mode " + (o.executable() ? "100755" : "100644"));
            }
            byte[] before = b == null ? new byte[0] : b.content(), after = o == null ? new byte[0] : o.content();
            if (RawText.isBinary(before) || RawText.isBinary(after)) {
                out.println("Binary files differ");
                continue;
            }
            RawText a = new RawText(before), c = new RawText(after);
            EditList edits = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM).diff(RawTextComparator.DEFAULT, a, c);
            if (edits.isEmpty()) {
                continue;
            }
            out.println("--- " + (b == null ? "/dev/null" : "a/" + path));
            out.println("+++ " + (o == null ? "/dev/null" : "b/" + path));
            for (var edit : edits) {
                insertions += edit.getLengthB();
                deletions += edit.getLengthA();
            }
            ByteArrayOutputStream hunks = new ByteArrayOutputStream();
            try (DiffFormatter formatter = new DiffFormatter(hunks)) {
                formatter.format(edits, a, c);
            } catch (IOException e) {
                throw new MojoExecutionException("cannot format the diff of " + path, e);
            }
            out.print(hunks.toString(StandardCharsets.UTF_8));
        }
        out.flush();
        getLog().info("Drift from release " + answers.release() + ": " + changed + " file(s) changed, " + added + " added, "
                + deleted + " deleted (" + insertions + " lines added, " + deletions + " removed), of "
                + base.files().size() + " files the release generates.");
    }
}
