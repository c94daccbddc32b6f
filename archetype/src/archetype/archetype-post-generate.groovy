// Runs after `mvn archetype:generate` has written a new service. The archetype plugin checks no
// names in batch mode (-B) and none given with -D, so this script does, in every mode: on a bad
// name, or when the project directory was already there, it removes every file the generation
// wrote and fails with a message naming the property, its value and the rule. Otherwise it
// restores the executable bits the plugin drops, and says what to do next.
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.nio.file.attribute.FileTime

// Filled in from template-service by ConvertTemplate when the archetype is built.
List<String> generatedFiles = /* GENERATED FILES */
List<String> executableFiles = /* EXECUTABLE FILES */

// Java's reserved keywords and literals: none may be a package name segment. (Contextual
// keywords such as record or var may.)
Set<String> javaReservedWords = ('abstract assert boolean break byte case catch char class const continue default do ' +
        'double else enum extends false final finally float for goto if implements import instanceof int interface ' +
        'long native new null package private protected public return short static strictfp super switch ' +
        'synchronized this throw throws transient true try void volatile while _').split(' ') as Set

Properties all = request.getProperties()
Map<String, String> values = [
        groupId       : request.getGroupId(),
        artifactId    : request.getArtifactId(),
        version       : request.getVersion(),
        package       : request.getPackage(),
        snakeCaseName : all.getProperty('snakeCaseName'),
        pascalCaseName: all.getProperty('pascalCaseName'),
]
String artifactId = values.artifactId ?: ''
String expectedSnake = artifactId.replace('-', '_')
String expectedPascal = artifactId.split('-').findAll { it }.collect { it.substring(0, 1).toUpperCase() + it.substring(1) }.join('')

List<String> problems = []
def check = { String property, boolean valid, String rule ->
    if (!valid) {
        problems << "  ${property} '${values[property]}' ${rule}"
    }
}
check('groupId', values.groupId ==~ /[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*/,
        'is not a valid groupId: use dot-separated lowercase words, each starting with a letter (e.g. com.acme.payments)')
check('artifactId', artifactId ==~ /[a-z][a-z0-9]*(-[a-z0-9]+)*/,
        'is not kebab-case: use lowercase letters and digits in words joined by single hyphens, starting with a letter (e.g. billing-service)')
check('version', values.version ==~ /[A-Za-z0-9][A-Za-z0-9._-]*/,
        'is not a valid version: use letters, digits, dots, hyphens and underscores (e.g. 0.1.0-SNAPSHOT)')
String reserved = (values.package ?: '').split('\\.').find { it in javaReservedWords }
check('package', values.package ==~ /[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)*/ && !reserved,
        'is not a legal Java package: use dot-separated identifiers that start with a letter, none a Java keyword' +
                (reserved ? " ('${reserved}' is one)" : ' (e.g. com.acme.payments.billing)'))
check('snakeCaseName', values.snakeCaseName == expectedSnake,
        "must be '${expectedSnake}': it is derived from artifactId, so leave it out")
check('pascalCaseName', values.pascalCaseName == expectedPascal,
        "must be '${expectedPascal}': it is derived from artifactId, so leave it out")

Path projectDir = Paths.get(request.getOutputDirectory(), artifactId)
String packagePath = (values.package ?: '').replace('.', '/')
Set<Path> written = generatedFiles.collect { projectDir.resolve(it.replace('PACKAGE_PATH', packagePath)).normalize() } as Set

// The generator writes pom.xml first (it refuses a directory that has one) and keeps any other file
// that is already there, so a file older than pom.xml, or one it does not write at all, was there
// before: the directory already existed.
Path pom = projectDir.resolve('pom.xml')
FileTime generationStart = Files.exists(pom) ? Files.getLastModifiedTime(pom) : FileTime.fromMillis(0)
def writtenNow = { Path file -> file in written && Files.getLastModifiedTime(file) >= generationStart }
List<Path> foreign = Files.exists(projectDir)
        ? Files.walk(projectDir).withCloseable { paths -> paths.filter { Files.isRegularFile(it) && !writtenNow(it) }.toList() }
        : []
if (!foreign.isEmpty()) {
    problems << "  the directory ${projectDir} already existed (it holds ${projectDir.relativize(foreign[0])}" +
            (foreign.size() > 1 ? " and ${foreign.size() - 1} more files" : '') +
            '); choose another artifactId, or move that directory away'
}

if (!problems.isEmpty()) {
    // Remove exactly the files this generation wrote, then those of their directories it left
    // empty, deepest first: a directory that was there before keeps everything it had.
    Set<Path> directories = [] as Set
    written.findAll { Files.exists(it) && writtenNow(it) }.each { file ->
        Files.delete(file)
        for (Path dir = file.parent; dir.startsWith(projectDir); dir = dir.parent) {
            directories << dir
        }
    }
    directories.sort { -it.nameCount }.each { dir ->
        if (Files.list(dir).withCloseable { it.findFirst().isEmpty() }) {
            Files.delete(dir)
        }
    }
    throw new IllegalArgumentException('The new service was not created, and nothing was left on disk:\n' +
            problems.join('\n') + '\nRun the command again with corrected values.')
}

executableFiles.each { projectDir.resolve(it.replace('PACKAGE_PATH', packagePath)).toFile().setExecutable(true, false) }

println """
Created ${artifactId} in ${projectDir}
  a Micronaut service: package ${values.package}, database ${expectedSnake}, ${written.size()} files.

Next steps:
  cd ${artifactId}
  docker compose up          # run it with MySQL and Redis in containers, then open http://localhost:8080/
  ./mvnw mn:run              # or run it on your machine against MySQL and Redis on localhost
  ./mvnw verify              # run its tests (they need MySQL and Redis; see README.md)
  git init && git add -A && git commit -m "Create ${artifactId}"

README.md explains the job queue, the settings, and the way to production on AWS.
"""
