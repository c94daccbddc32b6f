package com.example.archetypes.generator;

import org.apache.maven.plugin.MojoFailureException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The service's files as git sees them (tracked, plus new files git does not ignore), read with
 * JGit: what the service is, without target/ or anything else it ignores.
 */
final class WorkTree implements AutoCloseable {

    private final Path service;
    private final Repository repository;
    private final String prefix; // the service's directory inside the git work tree, "" or "dir/"

    WorkTree(Path service) throws MojoFailureException {
        this.service = service.toAbsolutePath().normalize();
        try {
            FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(this.service.toFile());
            if (builder.getGitDir() == null) {
                throw new MojoFailureException(this.service + " is not in a git repository: the generator compares and"
                        + " merges the files git has (commit the service first: git init && git add -A && git commit)");
            }
            repository = builder.build();
            String relative = repository.getWorkTree().toPath().toAbsolutePath().normalize().relativize(this.service).toString();
            prefix = relative.isEmpty() ? "" : relative.replace('\\', '/') + "/";
        } catch (IOException e) {
            throw new MojoFailureException("cannot open the git repository of " + this.service + ": " + e.getMessage(), e);
        }
    }

    private Status status() throws MojoFailureException {
        try {
            var command = Git.wrap(repository).status();
            if (!prefix.isEmpty()) {
                command.addPath(prefix.substring(0, prefix.length() - 1));
            }
            return command.call();
        } catch (GitAPIException e) {
            throw new MojoFailureException("git status failed in " + service + ": " + e.getMessage(), e);
        }
    }

    /** The paths, relative to the service, that git tracks or would add. */
    Set<String> files() throws MojoFailureException {
        Set<String> files = new TreeSet<>();
        try {
            DirCache index = repository.readDirCache();
            for (int i = 0; i < index.getEntryCount(); i++) {
                files.add(index.getEntry(i).getPathString());
            }
        } catch (IOException e) {
            throw new MojoFailureException("cannot read git's index in " + service + ": " + e.getMessage(), e);
        }
        files.addAll(status().getUntracked());
        Set<String> inService = new TreeSet<>();
        for (String file : files) {
            if (file.startsWith(prefix)) {
                inService.add(file.substring(prefix.length()));
            }
        }
        return inService;
    }

    /** Fails, naming a few, when anything in the service is not committed. */
    void requireClean() throws MojoFailureException {
        Status status = status();
        if (!status.isClean()) {
            Set<String> changed = new TreeSet<>(status.getUncommittedChanges());
            changed.addAll(status.getUntracked());
            throw new MojoFailureException("the working tree has changes that are not committed (" + changed.size() + " files: "
                    + String.join(", ", changed.stream().limit(5).toList()) + (changed.size() > 5 ? ", ..." : "")
                    + "): commit or stash them first, so that the update is one change of its own that git can show and undo");
        }
    }

    Tree read() throws MojoFailureException {
        try {
            return Tree.of(service, files());
        } catch (IOException e) {
            throw new MojoFailureException("cannot read the service's files: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        repository.close();
    }
}
