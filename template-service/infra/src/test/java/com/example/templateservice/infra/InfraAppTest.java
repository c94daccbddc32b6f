package com.example.templateservice.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CDK app writes its cloud assembly where the CDK CLI reads it: the directory in CDK_OUTDIR
 * ({@code cdk synth -o DIR} sets it), and cdk.out only when nothing is asked.
 */
class InfraAppTest {

    private static final DeliverySettings SETTINGS =
            new DeliverySettings(DeliverySettings.SERVICE, "acme/" + DeliverySettings.SERVICE, "main");

    @Test
    void theAssemblyGoesToCdkOutdirAndNotToCdkOut(@TempDir Path infra, @TempDir Path elsewhere) {
        Path written = InfraApp.writeTemplates(SETTINGS, infra, Map.of("CDK_OUTDIR", elsewhere.toString()));

        assertEquals(elsewhere, written);
        assertAssemblyIn(elsewhere);
        assertFalse(Files.exists(infra.resolve("cdk.out")), "cdk.out was written although CDK_OUTDIR was set");
    }

    @Test
    void aRelativeCdkOutdirIsTakenFromTheWorkingDirectoryAsTheCliMeansIt(@TempDir Path infra) {
        Path written = InfraApp.writeTemplates(SETTINGS, infra, Map.of("CDK_OUTDIR", "out/synth"));

        assertEquals(infra.resolve("out/synth"), written);
        assertAssemblyIn(infra.resolve("out/synth"));
        assertFalse(Files.exists(infra.resolve("cdk.out")), "cdk.out was written although CDK_OUTDIR was set");
    }

    @Test
    void withoutCdkOutdirTheAssemblyGoesToCdkOut(@TempDir Path infra) {
        Path written = InfraApp.writeTemplates(SETTINGS, infra, Map.of());

        assertEquals(infra.resolve("cdk.out"), written);
        assertAssemblyIn(infra.resolve("cdk.out"));
    }

    private static void assertAssemblyIn(Path dir) {
        assertTrue(Files.isRegularFile(dir.resolve("manifest.json")), "no manifest.json in " + dir);
        for (String stack : new String[] {SETTINGS.environmentStack(Stage.STAGING),
                SETTINGS.environmentStack(Stage.PRODUCTION), SETTINGS.pipelineStack()}) {
            assertTrue(Files.isRegularFile(dir.resolve(stack + ".template.json")), "no template of " + stack + " in " + dir);
        }
    }
}
