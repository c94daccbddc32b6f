// Runs after `mvn archetype:generate` has written a new service. The archetype plugin checks no
// names in batch mode (-B) and none given with -D, and when every name is given with -D it writes
// every file before anything of ours runs. So this script checks the names in every mode: on a bad
// name, or when the project directory was already there, it removes every file and directory the
// generation wrote and fails with a message naming the property, its value and the rule. Otherwise
// it restores the executable bits the plugin drops, and says what to do next.
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.nio.file.attribute.FileTime

// Filled in by ConvertTemplate when the archetype is built: the files it writes (with PACKAGE_PATH
// for the package's directory), those that are executable, and the rules of name-rules.properties.
List<String> generatedFiles = /* GENERATED FILES */
List<String> executableFiles = /* EXECUTABLE FILES */
Map<String, Map<String, String>> nameRules = /* NAME RULES */
Set<String> reservedWords = /* RESERVED WORDS */

Map<String, String> values = [
        groupId   : request.getGroupId(),
        artifactId: request.getArtifactId(),
        package   : request.getPackage(),
        version   : request.getVersion(),
]

List<String> problems = []
nameRules.each { property, rule ->
    String value = values[property] ?: ''
    String reserved = property == 'package' ? value.split('\\.').find { it in reservedWords } : null
    if (!(value ==~ rule.pattern) || reserved) {
        problems << "  ${property} '${value}' ${rule.rule}" + (reserved ? " ('${reserved}' is one)" : '')
    }
}

// Where the plugin wrote: outputDirectory/artifactId, however artifactId is spelled.
String artifactId = values.artifactId ?: ''
Path projectDir = new File(request.getOutputDirectory(), artifactId).toPath().toAbsolutePath().normalize()
String packagePath = (values.package ?: '').replace('.', '/')
Set<Path> written = generatedFiles.collect { projectDir.resolve(it.replace('PACKAGE_PATH', packagePath)).normalize() } as Set

// The generator writes pom.xml first (it refuses a directory that has one) and keeps any other file
// that is already there, so a file older than pom.xml, or one it does not write at all, was there
// before.
Path pom = projectDir.resolve('pom.xml')
FileTime generationStart = Files.exists(pom) ? Files.getLastModifiedTime(pom) : FileTime.fromMillis(0)
def writtenNow = { Path file -> file in written && Files.getLastModifiedTime(file) >= generationStart }
List<Path> foreign = Files.isDirectory(projectDir)
        ? Files.walk(projectDir).withCloseable { paths -> paths.filter { Files.isRegularFile(it) && !writtenNow(it) }.toList() }
        : []
if (problems.isEmpty() && !foreign.isEmpty()) {
    problems << "  the directory ${projectDir} already existed (it holds ${projectDir.relativize(foreign[0])}" +
            (foreign.size() > 1 ? " and ${foreign.size() - 1} more files" : '') +
            '); choose another artifactId, or move that directory away'
}

if (!problems.isEmpty()) {
    // Remove exactly the files this generation wrote, then every directory on their way up to the
    // project directory (included) that is left empty: one that holds anything else keeps it.
    Set<Path> directories = [] as Set
    written.findAll { Files.exists(it) && writtenNow(it) }.each { file ->
        Files.delete(file)
        for (Path dir = file.parent; dir != null && dir.startsWith(projectDir); dir = dir.parent) {
            directories << dir
        }
    }
    directories.sort { -it.nameCount }.each { dir ->
        if (Files.isDirectory(dir) && Files.list(dir).withCloseable { it.findFirst().isEmpty() }) {
            Files.delete(dir)
        }
    }
    throw new IllegalArgumentException('The new service was not created, and nothing was left on disk:\n' +
            problems.join('\n') + '\nRun the command again with corrected values.')
}

executableFiles.each { projectDir.resolve(it.replace('PACKAGE_PATH', packagePath)).toFile().setExecutable(true, false) }

println """
Created ${artifactId} in ${projectDir}
  a Micronaut service: package ${values.package}, database ${artifactId.replace('-', '_')}, ${written.size()} files.

Next steps:
  cd ${artifactId}
  export MAVEN_REPOSITORY_URL=https://...   # your team's Maven repository, where the image build finds the runtime library
  docker compose up          # run it with MySQL and Redis in containers, then open http://localhost:8080/
  ./mvnw mn:run              # or run it on your machine against MySQL and Redis (see README.md)
  ./mvnw verify              # run its tests (they need MySQL and Redis; see README.md)
  git init && git add -A && git commit -m "Create ${artifactId}"

To put it on AWS (Elastic Beanstalk, RDS MySQL, ElastiCache, a pipeline from GitHub), push it to
GitHub and run infra/deploy up. README.md explains that, the job queue, the settings and the tests.
"""
