import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns template-service into the archetype's resources, so that template-service stays the only
 * copy of what gets generated. Run by the archetype module's build (JDK only, no dependencies):
 *
 * <pre>java ConvertTemplate.java TEMPLATE_DIR ARCHETYPE_SOURCES OUTPUT_DIR ARCHETYPE_VERSION
 * java ConvertTemplate.java --name-pattern     (prints the pattern of every spelling of the name, for grep -i -E)</pre>
 *
 * <p>It takes template-service's files as git tracks them (never target/ or anything ignored) and
 * writes into OUTPUT_DIR (the archetype's target/classes):
 * <ul>
 *   <li>{@code archetype-resources/**}: each file that names the service, with the identity tokens
 *       replaced by archetype properties and every other character Velocity could read as syntax
 *       ({@code $ # \}) escaped; every other file byte for byte;</li>
 *   <li>{@code META-INF/maven/archetype-metadata.xml}: the properties from ARCHETYPE_SOURCES, with the
 *       name rules of {@code name-rules.properties} and a file set per directory, filtered only where a
 *       file names the service;</li>
 *   <li>{@code META-INF/archetype-post-generate.groovy}: the script from ARCHETYPE_SOURCES with the
 *       list of generated files and executables and the name rules filled in.</li>
 * </ul>
 *
 * <p>Escaping every {@code $}, {@code #} and {@code \} of a filtered file is what makes the copy exact
 * by construction: Velocity then sees no syntax in it but the properties put there on purpose.
 * A token left over after conversion (say "TEMPLATE_SERVICE" in a form the table does not know)
 * fails the build, naming the file and line, instead of leaking into every generated service.
 */
public class ConvertTemplate {

    /** The package as it is written in template-service, and the same in path form. */
    static final String PACKAGE = "com.example.templateservice";
    static final String PACKAGE_PATH = PACKAGE.replace('.', '/');

    /** Stands for the project's version in pom.xml until escaping turns it into ${version}. */
    static final String VERSION_MARK = "\u0000version\u0000";

    /**
     * Identity tokens, most specific first, and the Velocity variable that replaces each one: an
     * archetype property, or a name derived from artifactId in the header of every filtered file.
     */
    static final Map<String, String> TOKENS = new LinkedHashMap<>();

    /**
     * The generator's own groupId, which begins with the template's groupId token: the coordinates
     * and packages of the generator's artifacts (the runtime library, its test helpers) must come out
     * of generation unchanged, so it is matched before {@code com.example} and written as it is.
     */
    static final String GENERATOR_GROUP = "com.example.archetypes";

    static {
        TOKENS.put(VERSION_MARK, "version");
        TOKENS.put(PACKAGE, "package");
        TOKENS.put(PACKAGE_PATH, "packageInPathFormat");
        TOKENS.put(GENERATOR_GROUP, null); // kept as it is
        TOKENS.put("com.example", "groupId");
        TOKENS.put("template-service", "artifactId");
        TOKENS.put("template_service", "snakeCaseName");
        TOKENS.put("TemplateService", "pascalCaseName");
    }

    /**
     * Any spelling of the service's name, those the token table knows included (but not the
     * generator's groupId): a file that matches is filtered, a match left after conversion fails the
     * build, and the rename proof looks for it (with grep -P, for the look-ahead).
     */
    static final Pattern NAME = Pattern.compile("template[-_]?service|com\\.example(?!\\.archetypes\\b)", Pattern.CASE_INSENSITIVE);

    /** Java sources live in the package directory, which the generator creates from {@code package}. */
    static final List<String> SOURCE_ROOTS = List.of("src/main/java", "src/test/java", "infra/src/main/java", "infra/src/test/java");

    /**
     * The first lines of every filtered file, which Velocity removes: the escaped characters, and the
     * names derived from artifactId (billing-service gives billing_service and BillingService).
     */
    static final String VELOCITY_HEADER = """
            #set( $symbol_pound = '#' )
            #set( $symbol_dollar = '$' )
            #set( $symbol_escape = '\\' )
            #set( $snakeCaseName = $artifactId.replace('-', '_') )
            #set( $pascalCaseName = '' )
            #foreach( $word in $artifactId.split('-') )#set( $pascalCaseName = "${pascalCaseName}${word.substring(0,1).toUpperCase()}${word.substring(1)}" )#end
            """;
    static final int HEADER_LINES = (int) VELOCITY_HEADER.lines().count();

    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("--name-pattern")) { // for grep -i -E
            System.out.println(NAME.pattern());
            return;
        }
        if (args.length != 4) {
            System.err.println("usage: java ConvertTemplate.java TEMPLATE_DIR ARCHETYPE_SOURCES OUTPUT_DIR ARCHETYPE_VERSION");
            System.exit(2);
        }
        Path template = Path.of(args[0]).toRealPath();
        Path sources = Path.of(args[1]);
        Path output = Path.of(args[2]);
        try {
            checkGeneratorVersion(Files.readString(template.resolve("pom.xml")), args[3]);
            new ConvertTemplate().convert(template, sources, output);
        } catch (ConversionException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    static final class ConversionException extends RuntimeException {
        ConversionException(String message) {
            super(message);
        }
    }

    /** One file of template-service and where it goes in the archetype. */
    record Entry(String path, String fileSetDirectory, String pathInFileSet, boolean filtered, boolean packaged,
                 boolean executable) {
    }

    void convert(Path template, Path sources, Path output) throws IOException {
        Path resources = output.resolve("archetype-resources");
        deleteRecursively(resources);
        String version = projectVersion(Files.readString(template.resolve("pom.xml")));

        List<Entry> entries = new ArrayList<>();
        for (String path : trackedFiles(template)) {
            Path source = template.resolve(path);
            byte[] bytes = Files.readAllBytes(source);
            String text = utf8(bytes);
            boolean filtered = text != null && (NAME.matcher(text).find() || path.equals("pom.xml"));
            if (text == null && NAME.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).find()) {
                throw new ConversionException(path + " is binary but names the service; it cannot be renamed");
            }
            Entry entry = place(path, filtered, Files.isExecutable(source));
            Path target = resources.resolve(entry.fileSetDirectory()).resolve(entry.pathInFileSet());
            Files.createDirectories(target.getParent());
            if (filtered) {
                String content = path.equals("pom.xml") ? replaceProjectVersion(text, version) : text;
                Files.writeString(target, escape(path, content));
            } else {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            entries.add(entry);
        }

        Map<String, NameRule> rules = nameRules(sources.resolve("name-rules.properties"));
        Path metaInf = output.resolve("META-INF");
        Files.createDirectories(metaInf.resolve("maven"));
        Files.writeString(metaInf.resolve("maven/archetype-metadata.xml"), withNameRules(
                Files.readString(sources.resolve("archetype-metadata.xml")), rules)
                .replace("<!-- FILE SETS -->", fileSets(entries))
                .replace("@templateVersion@", version));
        Files.writeString(metaInf.resolve("archetype-post-generate.groovy"),
                Files.readString(sources.resolve("archetype-post-generate.groovy"))
                        .replace("/* GENERATED FILES */", groovyList(entries.stream().map(this::generatedPath)))
                        .replace("/* EXECUTABLE FILES */", groovyList(entries.stream()
                                .filter(Entry::executable).map(this::generatedPath)))
                        .replace("/* NAME RULES */", groovyRules(rules))
                        .replace("/* RESERVED WORDS */", groovyList(rules.get("package").reserved().stream()) + " as Set"));
        long filteredCount = entries.stream().filter(Entry::filtered).count();
        System.out.printf("Converted %d files of %s (%d renamed and escaped, %d copied as they are, %d executable)%n",
                entries.size(), template, filteredCount, entries.size() - filteredCount,
                entries.stream().filter(Entry::executable).count());
    }

    /** The files git tracks under the template directory, relative to it. */
    static List<String> trackedFiles(Path template) throws IOException {
        Process git = new ProcessBuilder("git", "-C", template.toString(), "ls-files", "-z", "--cached", "--", ".")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (git.waitFor() != 0) {
                throw new ConversionException("'git ls-files' failed in " + template
                        + ": the archetype is built from the files git tracks, so build it from a git checkout");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConversionException("interrupted");
        }
        List<String> files = Stream.of(listing.split("\0"))
                .filter(path -> !path.isEmpty())
                .filter(path -> Files.isRegularFile(template.resolve(path))) // deleted but not yet committed
                .sorted()
                .toList();
        if (files.isEmpty()) {
            throw new ConversionException("git tracks no files under " + template);
        }
        return files;
    }

    /** Java sources go in packaged file sets, stored relative to the package directory. */
    static Entry place(String path, boolean filtered, boolean executable) {
        for (String root : SOURCE_ROOTS) {
            if (path.startsWith(root + "/")) {
                String inRoot = path.substring(root.length() + 1);
                if (!inRoot.startsWith(PACKAGE_PATH + "/")) {
                    throw new ConversionException(path + " is outside the package " + PACKAGE
                            + "; every source file must be in it or a package below it");
                }
                return new Entry(path, root, inRoot.substring(PACKAGE_PATH.length() + 1), filtered, true, executable);
            }
        }
        if (NAME.matcher(path).find()) {
            throw new ConversionException(path + ": a file name outside the Java sources names the service;"
                    + " rename the file, or teach ConvertTemplate how to rename it");
        }
        int slash = path.lastIndexOf('/');
        return new Entry(path, slash < 0 ? "" : path.substring(0, slash), path.substring(slash + 1),
                filtered, false, executable);
    }

    /**
     * One pass over the text: identity tokens become {@code ${property}}, and every character that
     * Velocity treats as syntax becomes a variable holding that character, so nothing else changes.
     */
    static String escape(String path, String text) {
        if (text.indexOf('\r') >= 0) {
            throw new ConversionException(path + " has CR line endings; filtered files must use LF");
        }
        StringBuilder out = new StringBuilder(VELOCITY_HEADER);
        int i = 0;
        scan:
        while (i < text.length()) {
            for (Map.Entry<String, String> token : TOKENS.entrySet()) {
                if (text.startsWith(token.getKey(), i)) {
                    out.append(token.getValue() == null ? token.getKey() : "${" + token.getValue() + "}");
                    i += token.getKey().length();
                    continue scan;
                }
            }
            char c = text.charAt(i++);
            switch (c) {
                case '$' -> out.append("${symbol_dollar}");
                case '#' -> out.append("${symbol_pound}");
                case '\\' -> out.append("${symbol_escape}");
                default -> out.append(c);
            }
        }
        String escaped = out.toString();
        String[] lines = escaped.split("\n", -1);
        for (int line = 0; line < lines.length; line++) {
            Matcher leftover = NAME.matcher(lines[line]);
            if (line >= HEADER_LINES && leftover.find()) {
                throw new ConversionException(path + ":" + (line - HEADER_LINES + 1) + ": '" + leftover.group()
                        + "' names the service in a form the token table does not know; use one of "
                        + String.join(", ", TOKENS.keySet()));
            }
        }
        return escaped;
    }

    /** A rule of name-rules.properties: the pattern a name must match, and what to say when not. */
    record NameRule(String pattern, String rule, List<String> reserved) {
    }

    static Map<String, NameRule> nameRules(Path file) throws IOException {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        Map<String, NameRule> rules = new LinkedHashMap<>();
        for (String name : List.of("groupId", "artifactId", "package", "version")) {
            String pattern = properties.getProperty(name + ".pattern");
            String rule = properties.getProperty(name + ".rule");
            if (pattern == null || rule == null || properties.getProperty(name + ".summary") == null) {
                throw new ConversionException(file + ": " + name + " needs a pattern, a rule and a summary");
            }
            Pattern.compile(pattern);
            if (pattern.contains("'") || rule.contains("\"") || rule.contains("$") || rule.contains("#")) {
                throw new ConversionException(file + ": " + name + "'s pattern may not hold ', nor its rule \" $ or #"
                        + " (they are written into Velocity strings)");
            }
            String reserved = properties.getProperty(name + ".reserved", "").strip();
            rules.put(name, new NameRule(pattern, rule, reserved.isEmpty() ? List.of() : List.of(reserved.split("\\s+"))));
        }
        return rules;
    }

    /**
     * The metadata with each {@code @name.pattern@} replaced by its pattern and each
     * {@code @guard name...@} by a Velocity guard over those names. The plugin evaluates the defaults
     * the guards stand in before it writes any file; a guard that finds a name breaking its rule calls
     * a method that fails with the rule as its message ({@code String.getBytes} with the message as
     * the charset's name: Velocity can call only the names' own methods), which stops the generation
     * with "...threw exception java.io.UnsupportedEncodingException: artifactId '9lives' is not...".
     */
    static String withNameRules(String metadata, Map<String, NameRule> rules) {
        for (Map.Entry<String, NameRule> rule : rules.entrySet()) {
            metadata = metadata.replace("@" + rule.getKey() + ".pattern@", xmlEscape(rule.getValue().pattern()));
        }
        Matcher guards = Pattern.compile("@guard ([\\w ]+)@").matcher(metadata);
        StringBuilder result = new StringBuilder();
        while (guards.find()) {
            StringBuilder guard = new StringBuilder();
            for (String name : guards.group(1).split(" ")) {
                NameRule rule = rules.get(name);
                String failure = "${" + name + ".getBytes(\"" + name + " '$" + name + "' " + rule.rule();
                guard.append("#if( !${").append(name).append(".matches('").append(rule.pattern()).append("')} )")
                        .append(failure).append("\")}#{end}");
                if (!rule.reserved().isEmpty()) {
                    guard.append("#set( $reservedWords = ' ").append(String.join(" ", rule.reserved())).append(" ' )")
                            .append("#foreach( $segment in ${").append(name).append(".split('\\.')} )")
                            .append("#if( ${reservedWords.contains(\" $segment \")} )")
                            .append(failure).append(" ('$segment' is one)\")}#{end}#{end}");
                }
            }
            guards.appendReplacement(result, Matcher.quoteReplacement(xmlEscape(guard.toString())));
        }
        guards.appendTail(result);
        return result.toString();
    }

    static String groovyRules(Map<String, NameRule> rules) {
        return rules.entrySet().stream()
                .map(rule -> rule.getKey() + ": [pattern: " + groovyString(rule.getValue().pattern())
                        + ", rule: " + groovyString(rule.getValue().rule()) + "]")
                .collect(Collectors.joining(",\n    ", "[\n    ", "\n]"));
    }

    static String groovyString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static final Pattern GENERATOR_VERSION = Pattern.compile("<service-generator.version>([^<]+)</service-generator.version>");

    /**
     * Every generated service records the archetype release it came from in its pom.xml, and depends
     * on the runtime library of that release; both values are template-service's own, so they must be
     * this archetype's version (release/release.sh sets them all).
     */
    static void checkGeneratorVersion(String pom, String archetypeVersion) {
        Matcher recorded = GENERATOR_VERSION.matcher(pom);
        if (!recorded.find()) {
            throw new ConversionException("template-service/pom.xml has no <service-generator.version>: a generated"
                    + " service must record the release it came from");
        }
        if (!recorded.group(1).equals(archetypeVersion)) {
            throw new ConversionException("template-service/pom.xml records service-generator.version " + recorded.group(1)
                    + ", but the archetype is " + archetypeVersion + "; set both with release/release.sh");
        }
        Matcher runtime = RUNTIME_VERSION.matcher(pom);
        if (!runtime.find() || !runtime.group(1).equals(archetypeVersion)) {
            throw new ConversionException("template-service/pom.xml must depend on micronaut-service-runtime "
                    + archetypeVersion + " (<micronaut-service-runtime.version>), the library released with this archetype;"
                    + " it names " + (runtime.find(0) ? runtime.group(1) : "none") + ". Set it with release/release.sh");
        }
    }

    static final Pattern RUNTIME_VERSION =
            Pattern.compile("<micronaut-service-runtime.version>([^<]+)</micronaut-service-runtime.version>");

    static final Pattern PROJECT_VERSION =
            Pattern.compile("(<artifactId>template-service</artifactId>\\s*<version>)([^<]+)(</version>)");

    static String projectVersion(String pom) {
        Matcher matcher = PROJECT_VERSION.matcher(pom);
        if (!matcher.find()) {
            throw new ConversionException("pom.xml: no <version> right after <artifactId>template-service</artifactId>");
        }
        return matcher.group(2);
    }

    /**
     * The version answer as the service records it (service-generator.projectVersion, beside its
     * other answers), which must be the project's own version in template-service too.
     */
    static final Pattern RECORDED_VERSION =
            Pattern.compile("(<service-generator.projectVersion>)([^<]+)(</service-generator.projectVersion>)");

    /**
     * Marks the project's own version, and the version answer the service records, for the
     * {@code version} property (done before escaping).
     */
    static String replaceProjectVersion(String pom, String version) {
        Matcher recorded = RECORDED_VERSION.matcher(pom);
        if (!recorded.find() || !recorded.group(2).equals(version)) {
            throw new ConversionException("template-service/pom.xml must record its version answer as"
                    + " <service-generator.projectVersion>" + version + "</service-generator.projectVersion>, the project's"
                    + " version; it has " + (recorded.find(0) ? recorded.group(2) : "none"));
        }
        String marked = RECORDED_VERSION.matcher(pom).replaceFirst("$1" + Matcher.quoteReplacement(VERSION_MARK) + "$3");
        return PROJECT_VERSION.matcher(marked).replaceFirst("$1" + Matcher.quoteReplacement(VERSION_MARK) + "$3");
    }

    /** Where the file lands in a generated project, with {@code PACKAGE_PATH} for the package directory. */
    String generatedPath(Entry entry) {
        if (entry.packaged()) {
            return entry.fileSetDirectory() + "/PACKAGE_PATH/" + entry.pathInFileSet();
        }
        return entry.path();
    }

    static String fileSets(List<Entry> entries) {
        Map<String, List<Entry>> byFileSet = entries.stream()
                .filter(entry -> !entry.path().equals("pom.xml")) // the root pom is always processed
                .collect(Collectors.groupingBy(
                        entry -> entry.fileSetDirectory() + "|" + entry.filtered() + "|" + entry.packaged(),
                        TreeMap::new, Collectors.toList()));
        StringBuilder xml = new StringBuilder();
        byFileSet.values().forEach(group -> {
            Entry first = group.get(0);
            xml.append("    <fileSet filtered=\"").append(first.filtered())
                    .append("\" packaged=\"").append(first.packaged()).append("\" encoding=\"UTF-8\">\n")
                    .append("      <directory>").append(first.fileSetDirectory()).append("</directory>\n")
                    .append("      <includes>\n");
            group.forEach(entry -> xml.append("        <include>").append(xmlEscape(entry.pathInFileSet()))
                    .append("</include>\n"));
            xml.append("      </includes>\n    </fileSet>\n");
        });
        return xml.toString().stripTrailing();
    }

    static String groovyList(Stream<String> texts) {
        return texts.map(ConvertTemplate::groovyString).collect(Collectors.joining(",\n    ", "[\n    ", "\n]"));
    }

    static String xmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The text of a file that is valid UTF-8 without NUL bytes, or null for a binary file. */
    static String utf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
