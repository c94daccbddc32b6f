package com.example.archetypes.generator;

import com.example.archetypes.generator.Tree.FileState;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeFormatter;
import org.eclipse.jgit.merge.MergeResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The three-way merge of an update, file by file: base is the old release rendered with the
 * service's answers, ours the working tree, theirs the new release rendered with the same answers.
 * Only what the template changed between base and theirs is looked at; everything else in the
 * working tree is the team's and stays as it is.
 *
 * <p>Conflicts are written into the file with git's inline markers (never beside it in a .rej
 * file), so that resolving one is what resolving a git merge is.
 */
public final class TemplateMerge {

    /** What happened to one file. */
    public enum Action {
        /** The template added it and the service had no such file. */
        ADDED("added"),
        /** The service had not changed it: it is now the new release's. */
        UPDATED("updated"),
        /** Both changed it, on different lines: merged. */
        MERGED("merged"),
        /**
         * Both changed the same lines (or both added the file): markers written into it. A binary file
         * both changed, or a file git ignores where the template adds one, is left as it was.
         */
        CONFLICT("CONFLICT"),
        /** The template removed it and the service had not changed it. */
        REMOVED("removed"),
        /** The template removed it, but the service had changed it: kept. */
        KEPT("kept (removed by the template, changed by you)"),
        /** The service had deleted it: it stays deleted. */
        STAYS_DELETED("stays deleted (changed by the template, deleted by you)");

        public final String label;

        Action(String label) {
            this.label = label;
        }
    }

    public record Outcome(String path, Action action) {
    }

    private final String baseName;
    private final String theirsName;

    /** BASE_NAME and THEIRS_NAME label the conflict markers (e.g. "template 0.1.0"). */
    public TemplateMerge(String baseName, String theirsName) {
        this.baseName = baseName;
        this.theirsName = theirsName;
    }

    /** Works out the outcome of every file the template changed, without writing anything. */
    public List<Outcome> plan(Tree base, Tree ours, Tree theirs) {
        return run(base, ours, theirs, null);
    }

    /** Merges into WORK_TREE (where OURS was read from) and says what it did to each file. */
    public List<Outcome> apply(Tree base, Tree ours, Tree theirs, Path workTree) throws IOException {
        try {
            return run(base, ours, theirs, workTree);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private List<Outcome> run(Tree base, Tree ours, Tree theirs, Path workTree) {
        Set<String> paths = new TreeSet<>(base.files().keySet());
        paths.addAll(theirs.files().keySet());
        List<Outcome> outcomes = new ArrayList<>();
        for (String path : paths) {
            FileState b = base.get(path), o = ours.get(path), t = theirs.get(path);
            if (b != null && b.sameAs(t)) {
                continue; // the template did not change it
            }
            Action action;
            byte[] written = null;
            if (t == null) { // removed by the template
                if (o == null) {
                    continue;
                }
                action = o.sameContent(b) ? Action.REMOVED : Action.KEPT;
            } else if (o == null) {
                if (workTree != null && Files.exists(workTree.resolve(path))) {
                    // Not in git's view, yet on disk: a file git ignores (a .env, a local setting). Never
                    // overwritten, since nothing could bring it back: listed for the team to look at.
                    outcomes.add(new Outcome(path, Action.CONFLICT));
                    continue;
                }
                action = b == null ? Action.ADDED : Action.STAYS_DELETED;
                written = action == Action.ADDED ? t.content() : null;
            } else if (o.sameContent(t)) {
                if (o.executable() == t.executable() || !templateChangedTheBit(b, t)) {
                    continue; // the service has the template's change already (and its own bit stays)
                }
                action = Action.UPDATED; // the bit only
            } else if (b != null && o.sameContent(b)) {
                action = Action.UPDATED;
                written = t.content();
            } else {
                // Both changed it (or both added it: merged against an empty base, a conflict).
                Merged merged = merge(b == null ? new byte[0] : b.content(), o.content(), t.content());
                action = merged.conflict() ? Action.CONFLICT : Action.MERGED;
                written = merged.content();
            }
            outcomes.add(new Outcome(path, action));
            if (workTree != null) {
                write(workTree.resolve(path), action, written, templateChangedTheBit(b, t) ? t : null);
            }
        }
        return outcomes;
    }

    private static void write(Path file, Action action, byte[] content, FileState theirs) {
        try {
            if (action == Action.REMOVED) {
                Files.delete(file);
                return;
            }
            if (content != null) {
                Files.createDirectories(file.getParent());
                Files.write(file, content);
            }
            // Executable bits follow the template where it changed them (or added the file); a bit the
            // team set itself stays.
            if (theirs != null && Files.exists(file)) {
                setExecutable(file, theirs.executable());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether the new release gives the file another executable bit than the old one (or adds it). */
    private static boolean templateChangedTheBit(FileState base, FileState theirs) {
        return theirs != null && (base == null || base.executable() != theirs.executable());
    }

    static void setExecutable(Path file, boolean executable) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        for (PosixFilePermission read : List.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ)) {
            PosixFilePermission execute = PosixFilePermission.valueOf(read.name().replace("READ", "EXECUTE"));
            if (executable && permissions.contains(read)) {
                permissions.add(execute);
            } else if (!executable) {
                permissions.remove(execute);
            }
        }
        Files.setPosixFilePermissions(file, permissions);
    }

    record Merged(byte[] content, boolean conflict) {
    }

    private Merged merge(byte[] base, byte[] ours, byte[] theirs) {
        if (RawText.isBinary(base) || RawText.isBinary(ours) || RawText.isBinary(theirs)) {
            return new Merged(ours, true); // no lines to merge: the service's bytes stay, listed as a conflict
        }
        MergeResult<RawText> result = new MergeAlgorithm(DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM))
                .merge(RawTextComparator.DEFAULT, new RawText(base), new RawText(ours), new RawText(theirs));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new MergeFormatter().formatMerge(out, result, List.of(baseName, "yours", theirsName), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Merged(out.toByteArray(), result.containsConflicts());
    }
}
