package com.example.templateservice.infra;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The team's Maven repository, where the service generator and its runtime library
 * (micronaut-service-runtime) are released: the pipeline's build takes the library from it
 * (buildspec.yml, .mvn/settings.xml). From MAVEN_REPOSITORY_URL.
 *
 * @param url the repository's URL, https
 */
public record MavenRepository(String url) {

    /** https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/maven/REPOSITORY/ */
    private static final Pattern CODEARTIFACT = Pattern.compile(
            "https://([a-z][a-z0-9-]{0,48}[a-z0-9])-(\\d{12})\\.d\\.codeartifact\\.([a-z0-9-]+)\\.amazonaws\\.com/maven/([A-Za-z0-9._-]+)/?");

    public MavenRepository {
        if (url == null || !url.startsWith("https://") || url.contains(" ")) {
            throw new IllegalArgumentException("MAVEN_REPOSITORY_URL is '" + url + "': it must be the https URL of your team's"
                    + " Maven repository, where the runtime library is released");
        }
    }

    /** A CodeArtifact repository, whose builds need a token and the rights to get one. */
    public record CodeArtifact(String domain, String owner, String region, String repository) {
    }

    /** The CodeArtifact repository this URL names, if it names one. */
    public Optional<CodeArtifact> codeArtifact() {
        Matcher parts = CODEARTIFACT.matcher(url);
        return parts.matches()
                ? Optional.of(new CodeArtifact(parts.group(1), parts.group(2), parts.group(3), parts.group(4)))
                : Optional.empty();
    }
}
