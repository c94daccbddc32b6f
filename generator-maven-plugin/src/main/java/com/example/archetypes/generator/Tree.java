package com.example.archetypes.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a project, by path relative to its root ('/' separated): a render of the template,
 * or the service's working tree as git sees it.
 */
public record Tree(Map<String, FileState> files) {

    /** A file's bytes and whether it is executable: all the merge looks at. */
    public record FileState(byte[] content, boolean executable) {

        boolean sameAs(FileState other) {
            return other != null && executable == other.executable && java.util.Arrays.equals(content, other.content);
        }

        boolean sameContent(FileState other) {
            return other != null && java.util.Arrays.equals(content, other.content);
        }
    }

    public Tree {
        files = new TreeMap<>(files);
    }

    public FileState get(String path) {
        return files.get(path);
    }

    /** Every regular file under ROOT (a fresh render: nothing in it to leave out). */
    public static Tree walk(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return of(root, paths.filter(Files::isRegularFile).map(path -> root.relativize(path).toString().replace('\\', '/')).toList());
        }
    }

    /** The given files under ROOT; a path that is not there is left out (deleted). */
    public static Tree of(Path root, Collection<String> paths) throws IOException {
        Map<String, FileState> files = new TreeMap<>();
        for (String path : paths) {
            Path file = root.resolve(path);
            if (Files.isRegularFile(file)) {
                files.put(path, new FileState(Files.readAllBytes(file), Files.isExecutable(file)));
            }
        }
        return new Tree(files);
    }
}
