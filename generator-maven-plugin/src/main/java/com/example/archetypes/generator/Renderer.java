package com.example.archetypes.generator;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a release of the archetype with a service's answers, into a directory of its own, by
 * running archetype:generate with the same Maven, settings and local repository as the build that
 * runs this plugin: the render is what the archetype plugin itself makes, so that it is exactly
 * what the service got (the proofs' round trip holds it to that), with no second renderer.
 */
record Renderer(Path mavenHome, Path userSettings, Path globalSettings, Path localRepository, String localRepositoryTail,
                String archetypeGroupId, String archetypeArtifactId, String archetypePluginVersion, Log log) {

    /** Renders ANSWERS' release into WORK/render-VERSION and returns the service's directory. */
    Path render(Answers answers, Path work) throws MojoExecutionException {
        Path into = work.resolve("render-" + answers.release());
        Path log = work.resolve("render-" + answers.release() + ".log");
        try {
            deleteRecursively(into);
            Files.createDirectories(into);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot make " + into + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of(mavenHome.resolve("bin/mvn").toString(), "-B", "-ntp", "-Dstyle.color=never"));
        if (userSettings != null && Files.isRegularFile(userSettings)) {
            command.addAll(List.of("-s", userSettings.toString()));
        }
        if (globalSettings != null && Files.isRegularFile(globalSettings)) {
            command.addAll(List.of("-gs", globalSettings.toString()));
        }
        command.add("-Dmaven.repo.local=" + localRepository);
        if (localRepositoryTail != null && !localRepositoryTail.isBlank()) {
            command.add("-Dmaven.repo.local.tail=" + localRepositoryTail);
        }
        command.addAll(List.of("org.apache.maven.plugins:maven-archetype-plugin:" + archetypePluginVersion + ":generate",
                "-DinteractiveMode=false",
                "-DarchetypeGroupId=" + archetypeGroupId, "-DarchetypeArtifactId=" + archetypeArtifactId,
                "-DarchetypeVersion=" + answers.release(),
                "-DgroupId=" + answers.groupId(), "-DartifactId=" + answers.artifactId(),
                "-Dpackage=" + answers.packageName(), "-Dversion=" + answers.version()));
        this.log.info("Rendering release " + answers.release() + " with this service's answers (archetype:generate, log: " + log + ")");
        int exit;
        try {
            Process process = new ProcessBuilder(command).directory(into.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            exit = process.waitFor();
        } catch (IOException e) {
            throw new MojoExecutionException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("interrupted while rendering release " + answers.release(), e);
        }
        Path service = into.resolve(answers.artifactId());
        if (exit != 0 || !Files.isDirectory(service)) {
            String tail;
            try {
                List<String> lines = Files.readAllLines(log);
                tail = String.join("\n", lines.stream().filter(line -> line.contains("ERROR")).limit(10).toList());
            } catch (IOException e) {
                tail = "";
            }
            throw new MojoExecutionException("archetype:generate of release " + answers.release() + " failed (exit " + exit
                    + "; see " + log + "):\n" + tail);
        }
        return service;
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
