package com.example.archetypes.generator;

import org.apache.maven.plugin.MojoFailureException;

import java.util.Properties;

/**
 * What a service was generated with, as its pom.xml records it (properties beside
 * service-generator.version, written by the generation): the release, and the four answers that
 * render that release again exactly as the service got it.
 */
public record Answers(String release, String groupId, String artifactId, String packageName, String version) {

    static final String RELEASE = "service-generator.version";

    static Answers of(Properties properties) throws MojoFailureException {
        return new Answers(required(properties, RELEASE), required(properties, "service-generator.groupId"),
                required(properties, "service-generator.artifactId"), required(properties, "service-generator.package"),
                required(properties, "service-generator.projectVersion"));
    }

    private static String required(Properties properties, String name) throws MojoFailureException {
        String value = properties.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new MojoFailureException("pom.xml has no <" + name + "> property: the generator records in it what the"
                    + " service was generated with (a service generated before the generator recorded its answers needs"
                    + " them added by hand: groupId, artifactId, package and version as given to archetype:generate)");
        }
        return value.strip();
    }

    /** The same answers, at another release. */
    Answers at(String otherRelease) {
        return new Answers(otherRelease, groupId, artifactId, packageName, version);
    }
}
