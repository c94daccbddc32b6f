package com.example.archetypes.runtime;

import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Only in the image build's training run for the JDK's AOT cache ({@code docker-entrypoint.sh
 * record-aot-cache} sets {@code APP_TRAINING_PRELOAD}): loads, without initialising, every class of
 * the jars that hold the classes named, so that the cache has them too. The training run has no
 * database, so it never reaches the MySQL driver, Flyway and the Jackson classes Flyway uses; a real
 * start would otherwise load and verify about a thousand of their classes from the jars. Nothing of
 * them runs: a class is loaded and linked, its static initialiser is left for its first real use.
 */
@Singleton
@Requires(property = "app.training.preload")
class TrainingPreload implements ApplicationEventListener<StartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingPreload.class);

    private final List<String> anchors;

    TrainingPreload(@Property(name = "app.training.preload") List<String> anchors) {
        this.anchors = anchors;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        for (String anchor : anchors) {
            try {
                Class<?> type = Class.forName(anchor.trim(), false, getClass().getClassLoader());
                LOG.info("Training run: loaded {} classes of the jar of {}", preload(type), anchor);
            } catch (ClassNotFoundException | IOException | URISyntaxException | RuntimeException e) {
                LOG.warn("Training run: could not preload the jar of {}: {}", anchor, e.toString());
            }
        }
    }

    /** Loads every class of the jar that holds type; returns how many loaded. */
    private static int preload(Class<?> type) throws IOException, URISyntaxException {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            return 0;
        }
        ClassLoader loader = type.getClassLoader();
        int loaded = 0;
        try (JarFile jar = new JarFile(new File(source.getLocation().toURI()))) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")
                        || name.endsWith("package-info.class")) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    loaded++;
                } catch (LinkageError | ClassNotFoundException e) {
                    // A class that needs an optional library the service does not have: not cached.
                }
            }
        }
        return loaded;
    }
}
