package com.example.archetypes.generator;

import org.apache.maven.artifact.versioning.ComparableVersion;
import org.apache.maven.plugin.MojoFailureException;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.VersionRangeRequest;
import org.eclipse.aether.resolution.VersionRangeResolutionException;
import org.eclipse.aether.version.Version;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

/**
 * The generator's releases in the repositories the service's Maven is configured with (its
 * settings, as for archetype:generate): their versions, read from the archetype's
 * maven-metadata.xml by Maven's resolver (snapshots left out), and the changelog each carries.
 */
final class Releases {

    static final String CHANGELOG = "META-INF/service-generator/CHANGELOG.md";

    private final RepositorySystem system;
    private final RepositorySystemSession session;
    private final List<RemoteRepository> repositories;
    private final String groupId;
    private final String artifactId;

    Releases(RepositorySystem system, RepositorySystemSession session, List<RemoteRepository> repositories,
             String groupId, String artifactId) {
        this.system = system;
        this.session = session;
        this.repositories = repositories;
        this.groupId = groupId;
        this.artifactId = artifactId;
    }

    String where() {
        return repositories.stream().map(RemoteRepository::getUrl).collect(Collectors.joining(", "));
    }

    /** Every release, oldest first. */
    List<String> versions() throws MojoFailureException {
        try {
            // Asked of the repository every time: a release published since the last look must show
            // (the resolver would otherwise keep the list it read for a day).
            DefaultRepositorySystemSession always = new DefaultRepositorySystemSession(session);
            always.setUpdatePolicy(RepositoryPolicy.UPDATE_POLICY_ALWAYS);
            var result = system.resolveVersionRange(always,
                    new VersionRangeRequest(new DefaultArtifact(groupId, artifactId, "jar", "[0,)"), repositories, null));
            List<String> versions = new ArrayList<>();
            for (Version version : result.getVersions()) {
                if (!version.toString().endsWith("-SNAPSHOT")) {
                    versions.add(version.toString());
                }
            }
            versions.sort(Comparator.comparing(ComparableVersion::new));
            return versions;
        } catch (VersionRangeResolutionException e) {
            throw new MojoFailureException("cannot list the releases of " + groupId + ":" + artifactId + " in " + where() + ": " + e.getMessage(), e);
        }
    }

    String newest() throws MojoFailureException {
        List<String> versions = versions();
        if (versions.isEmpty()) {
            throw new MojoFailureException("no release of " + groupId + ":" + artifactId + " in " + where()
                    + ": is the team's repository (id 'archetype') in your Maven settings?");
        }
        return versions.get(versions.size() - 1);
    }

    /** Fails, naming the releases there are, when VERSION is not one of them. */
    void requireReleased(String version) throws MojoFailureException {
        List<String> versions = versions();
        if (!versions.contains(version)) {
            throw new MojoFailureException("version '" + version + "' is not a release of " + groupId + ":" + artifactId
                    + " in " + where() + "; the releases there are: " + (versions.isEmpty() ? "none" : String.join(", ", versions)));
        }
    }

    /** The CHANGELOG.md that release VERSION carries in its archetype jar. */
    String changelog(String version) throws MojoFailureException {
        Path jar;
        try {
            jar = system.resolveArtifact(session, new ArtifactRequest(new DefaultArtifact(groupId, artifactId, "jar", version),
                    repositories, null)).getArtifact().getFile().toPath();
        } catch (ArtifactResolutionException e) {
            throw new MojoFailureException("cannot download " + groupId + ":" + artifactId + ":" + version + " from " + where() + ": " + e.getMessage(), e);
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry(CHANGELOG);
            if (entry == null) {
                return "";
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new MojoFailureException("cannot read " + jar + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sections of CHANGELOG after FROM up to and including TO ("## 1.2.0 (date)" headings, as
     * release/release.sh writes them), newest first as the file has them.
     */
    static String between(String changelog, String from, String to) {
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (String line : changelog.split("\n", -1)) {
            if (line.startsWith("## ")) {
                String version = line.substring(3).split(" ")[0];
                inside = !version.equals("Unreleased")
                        && new ComparableVersion(version).compareTo(new ComparableVersion(from)) > 0
                        && new ComparableVersion(version).compareTo(new ComparableVersion(to)) <= 0;
            }
            if (inside) {
                out.append(line).append('\n');
            }
        }
        return out.toString().strip();
    }
}
