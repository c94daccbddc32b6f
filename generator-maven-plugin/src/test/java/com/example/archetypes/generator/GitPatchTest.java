package com.example.archetypes.generator;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The diff's patch, applied by git itself ({@code git apply}, the binary on this machine) to a copy
 * of the base tree, must give the other tree back, byte for byte and bit for bit.
 */
class GitPatchTest {

    @TempDir
    Path dir;

    private Path base, ours;

    @BeforeEach
    void trees() throws IOException {
        base = Files.createDirectories(dir.resolve("base"));
        ours = Files.createDirectories(dir.resolve("ours"));
    }

    private static void write(Path root, String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void executable(Path root, String path) throws IOException {
        Files.setPosixFilePermissions(root.resolve(path), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private String patch(GitPatch.Drift[] drift) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        drift[0] = GitPatch.write(Tree.walk(base), Tree.walk(ours), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Copies the base tree, runs git apply with the patch in the copy; its exit code and output. */
    private Map.Entry<Integer, String> gitApply(String patch, Path copy) throws IOException, InterruptedException {
        try (Stream<Path> files = Files.walk(base)) {
            for (Path from : files.toList()) {
                Path to = copy.resolve(base.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Path patchFile = dir.resolve("drift.patch");
        Files.writeString(patchFile, patch);
        Process git = new ProcessBuilder("git", "apply", "--verbose", patchFile.toString())
                .directory(copy.toFile()).redirectErrorStream(true).start();
        String said = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return Map.entry(git.waitFor(), said);
    }

    private static Map<String, String> summary(Tree tree) {
        Map<String, String> files = new TreeMap<>();
        tree.files().forEach((path, file) -> files.put(path, (file.executable() ? "x " : "- ") + new String(file.content(), StandardCharsets.UTF_8)));
        return files;
    }

    @Test
    void gitApplyTurnsTheBaseIntoTheOtherTree() throws Exception {
        write(base, "README.md", "# Service\n\nline two\nline three\n");
        write(ours, "README.md", "# Service\n\nline two, edited by the team\nline three\n");
        write(base, "src/Gone.java", "class Gone {}\n");
        write(ours, "src/New.java", "class New {}\n");
        write(base, "run.sh", "#!/bin/sh\necho run\n");
        write(ours, "run.sh", "#!/bin/sh\necho run\n");
        executable(ours, "run.sh");
        write(base, "deploy.sh", "#!/bin/sh\necho deploy\n");
        executable(base, "deploy.sh");
        write(ours, "deploy.sh", "#!/bin/sh\necho deploy to staging\n");
        executable(ours, "deploy.sh");
        write(base, "no-newline.txt", "last line");
        write(ours, "no-newline.txt", "last line, changed");
        write(base, "same.txt", "untouched\n");
        write(ours, "same.txt", "untouched\n");
        write(ours, "empty.txt", "");

        GitPatch.Drift[] drift = new GitPatch.Drift[1];
        String patch = patch(drift);
        assertTrue(patch.contains("diff --git a/src/New.java b/src/New.java\nnew file mode 100644\n--- /dev/null\n+++ b/src/New.java\n"), patch);
        assertTrue(patch.contains("diff --git a/src/Gone.java b/src/Gone.java\ndeleted file mode 100644\n--- a/src/Gone.java\n+++ /dev/null\n"), patch);
        assertTrue(patch.contains("diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"), patch);
        assertTrue(patch.contains("\\ No newline at end of file"), patch);
        assertTrue(!patch.contains("same.txt"), patch);
        assertEquals(new GitPatch.Drift(4, 2, 1, 4, 4), drift[0]);

        Path copy = dir.resolve("copy");
        Map.Entry<Integer, String> applied = gitApply(patch, copy);
        assertEquals(0, applied.getKey(), applied.getValue());
        assertEquals(summary(Tree.walk(ours)), summary(Tree.walk(copy)));
    }

    @Test
    void identicalTreesGiveAnEmptyPatch() throws IOException {
        write(base, "a.txt", "same\n");
        write(ours, "a.txt", "same\n");
        GitPatch.Drift[] drift = new GitPatch.Drift[1];
        assertEquals("", patch(drift));
        assertEquals(new GitPatch.Drift(0, 0, 0, 0, 0), drift[0]);
    }

    @Test
    void binaryFilesGoWholeAndGitApplyTakesThem() throws Exception {
        byte[] logo = new byte[3000];
        new java.util.Random(7).nextBytes(logo);
        logo[0] = 0; // a NUL: binary to git and to JGit
        Files.write(base.resolve("logo.png"), logo);
        byte[] changed = logo.clone();
        changed[1500] ^= 0x55;
        Files.write(ours.resolve("logo.png"), changed);
        Files.write(ours.resolve("icon.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 3, 4});
        Files.write(base.resolve("old.bin"), new byte[] {0, 0, 1});
        GitPatch.Drift[] drift = new GitPatch.Drift[1];
        String patch = patch(drift);
        assertTrue(patch.contains("diff --git a/logo.png b/logo.png\nindex "), patch);
        assertTrue(patch.contains(" 100644\nGIT binary patch\nliteral 3000\n"), patch);
        assertTrue(patch.contains("diff --git a/icon.png b/icon.png\nnew file mode 100644\nindex " + "0".repeat(40) + ".."), patch);
        assertEquals(new GitPatch.Drift(1, 1, 1, 0, 0), drift[0]);

        Path copy = dir.resolve("copy");
        Map.Entry<Integer, String> applied = gitApply(patch, copy);
        assertEquals(0, applied.getKey(), applied.getValue());
        assertEquals(Tree.walk(ours).files().keySet(), Tree.walk(copy).files().keySet());
        assertArrayEquals(changed, Files.readAllBytes(copy.resolve("logo.png")));
        assertArrayEquals(Files.readAllBytes(ours.resolve("icon.png")), Files.readAllBytes(copy.resolve("icon.png")));
    }

    @Test
    void theSameTreesApplyInReverseTooTakingTheChangesOff() throws Exception {
        write(base, "config.yml", "a: 1\nb: 2\nc: 3\n");
        write(ours, "config.yml", "a: 1\nb: 20\nc: 3\n");
        GitPatch.Drift[] drift = new GitPatch.Drift[1];
        String patch = patch(drift);
        Path patchFile = dir.resolve("reverse.patch");
        Files.writeString(patchFile, patch);
        Process git = new ProcessBuilder("git", "apply", "-R", patchFile.toString())
                .directory(ours.toFile()).redirectErrorStream(true).start();
        String said = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, git.waitFor(), said);
        assertEquals(List.of("a: 1", "b: 2", "c: 3"), Files.readAllLines(ours.resolve("config.yml")));
    }
}
