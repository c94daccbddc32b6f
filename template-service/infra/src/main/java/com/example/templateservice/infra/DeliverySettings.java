package com.example.templateservice.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the two stacks are made for: this service, the GitHub repository and branch the pipeline
 * builds from, and the names every resource takes from the service's name.
 *
 * @param service          the service's name, as in its pom.xml (kebab-case)
 * @param gitHubRepository the repository the pipeline builds, as owner/name
 * @param branch           the branch whose pushes are built and deployed
 * @param stages           the environments, in the order a push goes through them
 * @param domain           a domain of the team's own, or null: then CloudFront gives each environment HTTPS
 * @param mavenRepository  the team's Maven repository, where the pipeline's build finds the runtime
 *                         library; null only where nothing is deployed (infra/deploy up refuses it)
 * @param alarmEmail       where each environment's alarms are mailed (ALARM_EMAIL), or null: then only
 *                         whoever subscribes to the environment's alarm topic hears of them
 */
public record DeliverySettings(String service, String gitHubRepository, String branch, List<Stage> stages,
                               CustomDomain domain, MavenRepository mavenRepository, String alarmEmail) {

    /** The name every resource of this service is named after. */
    public static final String SERVICE = "template-service";

    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    /** https://github.com/owner/name(.git) or git@github.com:owner/name(.git) */
    private static final Pattern GITHUB_REMOTE = Pattern.compile("github\\.com[:/]([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(\\.git)?/?$");

    /** Staging, then production. */
    public DeliverySettings(String service, String gitHubRepository, String branch) {
        this(service, gitHubRepository, branch, List.of(Stage.STAGING, Stage.PRODUCTION));
    }

    /** Without a domain of one's own. */
    public DeliverySettings(String service, String gitHubRepository, String branch, List<Stage> stages) {
        this(service, gitHubRepository, branch, stages, null);
    }

    /** Without a Maven repository for the pipeline's build. */
    public DeliverySettings(String service, String gitHubRepository, String branch, List<Stage> stages,
                            CustomDomain domain) {
        this(service, gitHubRepository, branch, stages, domain, null);
    }

    /** Without an address for the alarms. */
    public DeliverySettings(String service, String gitHubRepository, String branch, List<Stage> stages,
                            CustomDomain domain, MavenRepository mavenRepository) {
        this(service, gitHubRepository, branch, stages, domain, mavenRepository, null);
    }

    /** The same, building with the runtime library from {@code repository}. */
    public DeliverySettings withMavenRepository(MavenRepository repository) {
        return new DeliverySettings(service, gitHubRepository, branch, stages, domain, repository, alarmEmail);
    }

    /** The same, mailing each environment's alarms to {@code address}. */
    public DeliverySettings withAlarmEmail(String address) {
        return new DeliverySettings(service, gitHubRepository, branch, stages, domain, mavenRepository, address);
    }

    public DeliverySettings {
        stages = List.copyOf(stages);
        if (!REPOSITORY.matcher(gitHubRepository).matches()) {
            throw new IllegalArgumentException("GitHub repository '" + gitHubRepository
                    + "' is not of the form owner/name");
        }
        if (branch.isBlank()) {
            throw new IllegalArgumentException("the branch to deploy is empty");
        }
        if (alarmEmail != null && !alarmEmail.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new IllegalArgumentException("ALARM_EMAIL is '" + alarmEmail + "': set it to one e-mail address"
                    + " (name@example.com), or leave it unset.");
        }
    }

    /**
     * The settings for the service in {@code serviceDir}: the repository from GITHUB_REPOSITORY or else
     * the GitHub remote "origin", the branch from GITHUB_BRANCH or else the branch checked out, the
     * environments from ENVIRONMENTS (see {@link Stage#fromSetting}), a domain from DOMAIN and
     * HOSTED_ZONE_ID (see {@link CustomDomain}), the team's Maven repository from MAVEN_REPOSITORY_URL,
     * the alarms' address from ALARM_EMAIL.
     *
     * @param env the environment variables (System.getenv() in infra/deploy)
     */
    public static DeliverySettings fromGit(Path serviceDir, Map<String, String> env) {
        String repository = env.get("GITHUB_REPOSITORY");
        if (repository == null || repository.isBlank()) {
            String origin = git(serviceDir, "remote", "get-url", "origin");
            Matcher gitHub = GITHUB_REMOTE.matcher(origin);
            if (!gitHub.find()) {
                throw new IllegalArgumentException("Cannot tell which GitHub repository to deploy from: the remote"
                        + " 'origin' is '" + origin + "'. Push the service to GitHub and add it as origin, or set"
                        + " GITHUB_REPOSITORY=owner/name.");
            }
            repository = gitHub.group(1);
        }
        String branch = env.get("GITHUB_BRANCH");
        if (branch == null || branch.isBlank()) {
            branch = checkedOutBranch(serviceDir);
        }
        String domain = env.get("DOMAIN");
        CustomDomain custom = domain == null || domain.isBlank() ? null
                : new CustomDomain(domain.strip(), String.valueOf(env.getOrDefault("HOSTED_ZONE_ID", "")).strip());
        String maven = env.get("MAVEN_REPOSITORY_URL");
        String alarms = env.get("ALARM_EMAIL");
        return new DeliverySettings(SERVICE, repository, branch, Stage.fromSetting(env.get("ENVIRONMENTS")), custom,
                maven == null || maven.isBlank() ? null : new MavenRepository(maven.strip()),
                alarms == null || alarms.isBlank() ? null : alarms.strip());
    }

    /** The branch checked out in {@code dir}; if there is none, why not and what to do, as the exception's message. */
    private static String checkedOutBranch(Path dir) {
        if (git(dir, "rev-parse", "--git-dir").isEmpty()) {
            throw new IllegalArgumentException("this is not a git repository, so there is no branch to deploy."
                    + " Make it one and commit: git init && git add -A && git commit -m \"First commit\"");
        }
        // Without a commit, HEAD names a branch that does not exist yet (git calls it unborn).
        String branch = git(dir, "symbolic-ref", "--short", "HEAD");
        if (git(dir, "rev-parse", "--verify", "--quiet", "HEAD").isEmpty()) {
            throw new IllegalArgumentException("the repository has no commit yet, so there is no branch to deploy"
                    + (branch.isEmpty() ? "" : " (" + branch + " has nothing in it)") + ". Commit first:"
                    + " git add -A && git commit -m \"First commit\", push it to GitHub, then run this again.");
        }
        if (branch.isEmpty()) {
            throw new IllegalArgumentException("HEAD is detached (no branch is checked out), so there is no branch"
                    + " to deploy. Check out the branch the pipeline should build (git switch main), or set GITHUB_BRANCH.");
        }
        return branch;
    }

    /** A git command's output, or "" when it fails (no repository, no such remote). */
    private static String git(Path dir, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "git";
        command[1] = "-C";
        command[2] = dir.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        try {
            Process git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? output : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public String pipelineStack() {
        return service + "-pipeline";
    }

    /** The stack of one environment: the service's name and the environment's. */
    public String environmentStack(Stage stage) {
        return service + "-" + stage.name();
    }

    /** The stacks of the environments, in the order they are deployed. */
    public List<String> environmentStacks() {
        return stages.stream().map(this::environmentStack).toList();
    }

    /** Whether a push goes to staging, and waits for an approval, before production. */
    public boolean hasStaging() {
        return stages.contains(Stage.STAGING);
    }

    /** The image repository, the build project and the pipeline: the service's name. */
    public String resourceName() {
        return service;
    }

    /** An environment's Elastic Beanstalk application and environment and its database instance. */
    public String resourceName(Stage stage) {
        return service + "-" + stage.name();
    }

    /** The name under which an environment's stack exports its URL, for the pipeline to import. */
    public String urlExport(Stage stage) {
        return resourceName(stage) + "-url";
    }

    /** The name under which an environment's stack exports its caller's secret, for the smoke test. */
    public String callerSecretExport(Stage stage) {
        return resourceName(stage) + "-caller-secret";
    }

    /** A GitHub connection's name may have 32 characters at most. */
    public String connectionName() {
        return service.length() <= 32 ? service : service.substring(0, 32);
    }

    /** The database name the service uses (DB_NAME): the service's name in snake_case. */
    public String databaseName() {
        return service.replace('-', '_');
    }
}
