package com.example.archetypes.generator;

import com.example.archetypes.generator.TemplateMerge.Action;
import com.example.archetypes.generator.TemplateMerge.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The merge core on real directories: base and theirs as renders, ours as a working tree. */
class TemplateMergeTest {

    @TempDir
    Path dir;

    private Path base, ours, theirs;

    private List<Outcome> merge() throws IOException {
        Tree oursTree = Tree.walk(ours);
        return new TemplateMerge("template 1.0.0", "template 1.1.0").apply(Tree.walk(base), oursTree, Tree.walk(theirs), ours);
    }

    private void write(Path root, String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** The same file in all three trees. */
    private void everywhere(String path, String text) throws IOException {
        for (Path root : List.of(base, ours, theirs)) {
            write(root, path, text);
        }
    }

    private String read(String path) throws IOException {
        return Files.readString(ours.resolve(path), StandardCharsets.UTF_8);
    }

    @org.junit.jupiter.api.BeforeEach
    void trees() throws IOException {
        base = Files.createDirectories(dir.resolve("base"));
        ours = Files.createDirectories(dir.resolve("ours"));
        theirs = Files.createDirectories(dir.resolve("theirs"));
    }

    @Test
    void filesTheTemplateDidNotChangeAreNotTouchedNorListed() throws IOException {
        everywhere("README.md", "a\n");
        write(base, "src/App.java", "class App {}\n");
        write(theirs, "src/App.java", "class App {}\n");
        write(ours, "src/App.java", "class App { int yours; }\n");

        assertEquals(List.of(), merge());
        assertEquals("class App { int yours; }\n", read("src/App.java"));
    }

    @Test
    void aFileTheServiceDidNotChangeBecomesTheNewReleases() throws IOException {
        write(base, "Dockerfile", "FROM a\n");
        write(ours, "Dockerfile", "FROM a\n");
        write(theirs, "Dockerfile", "FROM b\n");

        assertEquals(List.of(new Outcome("Dockerfile", Action.UPDATED)), merge());
        assertEquals("FROM b\n", read("Dockerfile"));
    }

    @Test
    void changesOnOtherLinesMergeCleanly() throws IOException {
        write(base, "app.yml", "one\ntwo\nthree\nfour\nfive\n");
        write(ours, "app.yml", "ONE\ntwo\nthree\nfour\nfive\n");
        write(theirs, "app.yml", "one\ntwo\nthree\nfour\nFIVE\n");

        assertEquals(List.of(new Outcome("app.yml", Action.MERGED)), merge());
        assertEquals("ONE\ntwo\nthree\nfour\nFIVE\n", read("app.yml"));
    }

    @Test
    void changesOnTheSameLinesGetGitStyleMarkersAndNoRejFile() throws IOException {
        write(base, "app.yml", "port: 8080\nname: x\n");
        write(ours, "app.yml", "port: 9090\nname: x\n");
        write(theirs, "app.yml", "port: 8081\nname: x\n");

        assertEquals(List.of(new Outcome("app.yml", Action.CONFLICT)), merge());
        assertEquals("""
                <<<<<<< yours
                port: 9090
                =======
                port: 8081
                >>>>>>> template 1.1.0
                name: x
                """, read("app.yml"));
        try (var files = Files.list(ours)) {
            assertEquals(List.of("app.yml"), files.map(path -> path.getFileName().toString()).toList());
        }
    }

    @Test
    void aFileTheTemplateAddedAppears() throws IOException {
        write(theirs, "deploy/new.sh", "#!/bin/sh\n");
        theirs.resolve("deploy/new.sh").toFile().setExecutable(true, false);

        assertEquals(List.of(new Outcome("deploy/new.sh", Action.ADDED)), merge());
        assertEquals("#!/bin/sh\n", read("deploy/new.sh"));
        assertTrue(Files.isExecutable(ours.resolve("deploy/new.sh")));
    }

    @Test
    void aFileBothAddedIsAConflict() throws IOException {
        write(ours, "NOTES.md", "the team's notes\n");
        write(theirs, "NOTES.md", "the template's notes\n");

        assertEquals(List.of(new Outcome("NOTES.md", Action.CONFLICT)), merge());
        assertTrue(read("NOTES.md").contains("<<<<<<< yours\nthe team's notes\n=======\nthe template's notes\n>>>>>>> template 1.1.0\n"),
                read("NOTES.md"));
    }

    @Test
    void aFileTheTemplateRemovedIsRemovedUnlessTheServiceChangedIt() throws IOException {
        write(base, "old.txt", "old\n");
        write(ours, "old.txt", "old\n");
        write(base, "changed.txt", "old\n");
        write(ours, "changed.txt", "old, and the team's line\n");

        assertEquals(List.of(new Outcome("changed.txt", Action.KEPT), new Outcome("old.txt", Action.REMOVED)), merge());
        assertFalse(Files.exists(ours.resolve("old.txt")));
        assertEquals("old, and the team's line\n", read("changed.txt"));
    }

    @Test
    void aFileTheServiceDeletedStaysDeleted() throws IOException {
        write(base, "compose.yaml", "a\n");
        write(theirs, "compose.yaml", "b\n");

        assertEquals(List.of(new Outcome("compose.yaml", Action.STAYS_DELETED)), merge());
        assertFalse(Files.exists(ours.resolve("compose.yaml")));
    }

    @Test
    void executableBitsFollowTheTemplate() throws IOException {
        everywhere("run.sh", "#!/bin/sh\n");
        theirs.resolve("run.sh").toFile().setExecutable(true, false);
        write(base, "tool.sh", "#!/bin/sh\necho 1\n");
        write(ours, "tool.sh", "#!/bin/sh\necho 1\n");
        write(theirs, "tool.sh", "#!/bin/sh\necho 2\n");
        base.resolve("tool.sh").toFile().setExecutable(true, false);
        ours.resolve("tool.sh").toFile().setExecutable(true, false);
        theirs.resolve("tool.sh").toFile().setExecutable(true, false);

        assertEquals(List.of(new Outcome("run.sh", Action.UPDATED), new Outcome("tool.sh", Action.UPDATED)), merge());
        assertTrue(Files.isExecutable(ours.resolve("run.sh")), "a bit the template set");
        assertTrue(Files.isExecutable(ours.resolve("tool.sh")), "a script the template changed, executable in the template");
        assertEquals("#!/bin/sh\necho 2\n", read("tool.sh"));
    }

    @Test
    void aBitTheTeamChangedStaysWhenTheTemplateChangedOnlyTheContent() throws IOException {
        write(base, "tool.sh", "#!/bin/sh\necho 1\n");
        write(ours, "tool.sh", "#!/bin/sh\necho 1\n");
        write(theirs, "tool.sh", "#!/bin/sh\necho 2\n");
        base.resolve("tool.sh").toFile().setExecutable(true, false);
        theirs.resolve("tool.sh").toFile().setExecutable(true, false); // the team took the bit off

        assertEquals(List.of(new Outcome("tool.sh", Action.UPDATED)), merge());
        assertEquals("#!/bin/sh\necho 2\n", read("tool.sh"));
        assertFalse(Files.isExecutable(ours.resolve("tool.sh")), "the team's own bit was overwritten");
    }

    @Test
    void aFileTheTemplateAddsWhereTheTeamKeepsAnIgnoredFileIsNeverOverwritten() throws IOException {
        write(theirs, ".env", "TEMPLATE=1\n");
        Tree oursAsGitSeesIt = Tree.walk(ours); // .env is ignored: not in git's view of the tree
        write(ours, ".env", "DB_PASSWORD=the team's own\n");

        List<Outcome> outcomes = new TemplateMerge("template 1.0.0", "template 1.1.0")
                .apply(Tree.walk(base), oursAsGitSeesIt, Tree.walk(theirs), ours);

        assertEquals(List.of(new Outcome(".env", Action.CONFLICT)), outcomes);
        assertEquals("DB_PASSWORD=the team's own\n", read(".env"));
    }

    @Test
    void aChangeTheServiceMadeAlreadyIsNotListed() throws IOException {
        write(base, "a.txt", "1\n");
        write(ours, "a.txt", "2\n");
        write(theirs, "a.txt", "2\n");

        assertEquals(List.of(), merge());
    }

    @Test
    void planWritesNothing() throws IOException {
        write(base, "a.txt", "1\n");
        write(ours, "a.txt", "1\n");
        write(theirs, "a.txt", "2\n");

        List<Outcome> planned = new TemplateMerge("b", "t").plan(Tree.walk(base), Tree.walk(ours), Tree.walk(theirs));
        assertEquals(List.of(new Outcome("a.txt", Action.UPDATED)), planned);
        assertEquals("1\n", read("a.txt"));
    }
}
