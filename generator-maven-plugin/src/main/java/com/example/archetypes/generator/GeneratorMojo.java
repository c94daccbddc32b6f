package com.example.archetypes.generator;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.eclipse.aether.RepositorySystem;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** What the three goals share: the service's answers, the releases, and the renders. */
abstract class GeneratorMojo extends AbstractMojo {

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected MavenSession session;

    /** The archetype plugin's version for the renders; the one the generator was tested with by default. */
    @Parameter(property = "generator.archetypePluginVersion")
    protected String archetypePluginVersion;

    private final RepositorySystem repositorySystem;

    protected GeneratorMojo(RepositorySystem repositorySystem) {
        this.repositorySystem = repositorySystem;
    }

    private static Properties defaults() {
        Properties properties = new Properties();
        try (InputStream in = GeneratorMojo.class.getResourceAsStream("generator.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    protected final Properties defaults = defaults();

    protected Answers answers() throws MojoFailureException {
        return Answers.of(project.getProperties());
    }

    protected Releases releases() {
        return new Releases(repositorySystem, session.getRepositorySession(), project.getRemoteProjectRepositories(),
                defaults.getProperty("archetype.groupId"), defaults.getProperty("archetype.artifactId"));
    }

    protected Renderer renderer() {
        File user = session.getRequest().getUserSettingsFile();
        File global = session.getRequest().getGlobalSettingsFile();
        String tail = session.getUserProperties().getProperty("maven.repo.local.tail",
                session.getSystemProperties().getProperty("maven.repo.local.tail"));
        return new Renderer(Path.of(System.getProperty("maven.home")), user == null ? null : user.toPath(),
                global == null ? null : global.toPath(), session.getRepositorySession().getLocalRepository().getBasedir().toPath(),
                tail, defaults.getProperty("archetype.groupId"), defaults.getProperty("archetype.artifactId"),
                archetypePluginVersion != null ? archetypePluginVersion : defaults.getProperty("archetype-plugin.version"), getLog());
    }

    /** A directory of the build's for the renders (target/service-generator, which git ignores). */
    protected Path workDirectory() throws MojoExecutionException {
        Path work = Path.of(project.getBuild().getDirectory(), "service-generator");
        try {
            return Files.createDirectories(work);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot make " + work + ": " + e.getMessage(), e);
        }
    }

    protected Path basedir() {
        return project.getBasedir().toPath();
    }
}
