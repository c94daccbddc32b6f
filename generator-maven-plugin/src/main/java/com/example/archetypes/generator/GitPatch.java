package com.example.archetypes.generator;

import com.example.archetypes.generator.Tree.FileState;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.Deflater;

/**
 * The changes from one tree to another as a patch in git's format, which {@code git apply} takes:
 * a {@code diff --git} header per file, its mode lines (a new file, a deleted one, an executable bit
 * changed), then the hunks as JGit's {@link DiffFormatter} writes them (three lines of context, the
 * "No newline at end of file" marker). A binary file gets what {@code git diff --binary} writes: the
 * blobs' full ids and a "GIT binary patch" with both contents whole. Paths keep their place; a file
 * moved is a deletion and an addition (no rename detection).
 */
final class GitPatch {

    /** The digits of git's base 85 (base85.c). */
    private static final String BASE85 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

    /** How far the second tree is from the first. */
    record Drift(int changed, int added, int deleted, int linesAdded, int linesRemoved) {
    }

    private GitPatch() {
    }

    /** Writes the patch from BASE to OURS to OUT, and says how large it was. */
    static Drift write(Tree base, Tree ours, OutputStream out) throws IOException {
        Set<String> paths = new TreeSet<>(base.files().keySet());
        paths.addAll(ours.files().keySet());
        int changed = 0, added = 0, deleted = 0, linesAdded = 0, linesRemoved = 0;
        for (String path : paths) {
            FileState before = base.get(path), after = ours.get(path);
            if (before != null && before.sameAs(after)) {
                continue;
            }
            StringBuilder header = new StringBuilder("diff --git a/" + path + " b/" + path + "\n");
            if (before == null) {
                added++;
                header.append("new file mode ").append(mode(after)).append('\n');
            } else if (after == null) {
                deleted++;
                header.append("deleted file mode ").append(mode(before)).append('\n');
            } else {
                changed++;
                if (before.executable() != after.executable()) {
                    header.append("old mode ").append(mode(before)).append('\n')
                            .append("new mode ").append(mode(after)).append('\n');
                }
            }
            byte[] a = before == null ? new byte[0] : before.content(), b = after == null ? new byte[0] : after.content();
            if (RawText.isBinary(a) || RawText.isBinary(b)) {
                // git apply takes a binary file only with its blobs' full ids and its whole content.
                header.append("index ").append(blobId(before)).append("..").append(blobId(after));
                if (before != null && after != null && before.executable() == after.executable()) {
                    header.append(' ').append(mode(after));
                }
                header.append("\nGIT binary patch\n").append(literal(b)).append('\n').append(literal(a)).append('\n');
                out.write(header.toString().getBytes(StandardCharsets.UTF_8));
                continue;
            }
            RawText oldText = new RawText(a), newText = new RawText(b);
            EditList edits = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM)
                    .diff(RawTextComparator.DEFAULT, oldText, newText);
            if (!edits.isEmpty()) {
                // /dev/null names the side that does not exist: a new file's "from", a deleted one's "to".
                header.append("--- ").append(before == null ? "/dev/null" : "a/" + path).append('\n')
                        .append("+++ ").append(after == null ? "/dev/null" : "b/" + path).append('\n');
            }
            out.write(header.toString().getBytes(StandardCharsets.UTF_8));
            for (Edit edit : edits) {
                linesAdded += edit.getLengthB();
                linesRemoved += edit.getLengthA();
            }
            ByteArrayOutputStream hunks = new ByteArrayOutputStream();
            try (DiffFormatter formatter = new DiffFormatter(hunks)) {
                formatter.format(edits, oldText, newText);
            }
            hunks.writeTo(out);
        }
        out.flush();
        return new Drift(changed, added, deleted, linesAdded, linesRemoved);
    }

    /** Git's id of a file's blob (SHA-1 of "blob LENGTH\0" and the bytes); zeros for no file. */
    private static String blobId(FileState file) {
        if (file == null) {
            return "0".repeat(40);
        }
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + file.content().length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(file.content()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    /**
     * A "literal" hunk of git's binary patch: the length, then the zlib-deflated bytes in lines of
     * at most 52 bytes, each led by its length (A-Z for 1-26, a-z for 27-52) and written in git's
     * base 85.
     */
    private static String literal(byte[] content) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(content);
        deflater.finish();
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            deflated.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        byte[] data = deflated.toByteArray();
        StringBuilder hunk = new StringBuilder("literal ").append(content.length).append('\n');
        for (int start = 0; start < data.length; start += 52) {
            int length = Math.min(52, data.length - start);
            hunk.append((char) (length <= 26 ? 'A' + length - 1 : 'a' + length - 27));
            for (int group = start; group < start + length; group += 4) {
                long word = 0;
                for (int i = 0; i < 4; i++) {
                    word = (word << 8) | (group + i < start + length ? data[group + i] & 0xff : 0);
                }
                char[] digits = new char[5];
                for (int i = 4; i >= 0; i--) {
                    digits[i] = BASE85.charAt((int) (word % 85));
                    word /= 85;
                }
                hunk.append(digits);
            }
            hunk.append('\n');
        }
        return hunk.toString();
    }

    private static String mode(FileState file) {
        return file.executable() ? "100755" : "100644";
    }
}
