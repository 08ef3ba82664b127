package shop.reconciler;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The training run of {@code jobs/build-cds}: the application with its arguments (the demo), after
 * the MySQL driver's classes are loaded. The demo's shop is an embedded H2, so the driver that every
 * real shop uses would otherwise stay out of the start-up cache, and each command would read and
 * verify its few hundred classes again. Loading is all: no class is initialised, nothing connects.
 *
 * <ol>
 *   <li>The driver's jar is the one its {@code Driver} class comes from.
 *   <li>Each class of the jar is loaded, not initialised; one that cannot be (an optional part
 *       whose library is absent, such as the X DevAPI's protobuf) is left out.
 *   <li>{@link OrderReconcilerApplication#main} runs; the cache is written when the JVM exits.
 * </ol>
 */
public final class CdsTraining {

    static final String MYSQL_DRIVER = "com.mysql.cj.jdbc.Driver";

    private CdsTraining() {}

    public static void main(String[] args) throws IOException {
        System.err.println("cds training: " + loadAll(MYSQL_DRIVER) + " classes of the MySQL driver loaded");
        OrderReconcilerApplication.main(args);
    }

    /** Loads every class of the jar that holds {@code anchor}; how many loaded (0 when it is absent). */
    static int loadAll(String anchor) throws IOException {
        ClassLoader loader = CdsTraining.class.getClassLoader();
        Path jar;
        try {
            jar = Path.of(Class.forName(anchor, false, loader)
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            return 0;
        }
        int loaded = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError optionalPartAbsent) {
                    // left out of the cache, as it is out of every run
                }
            }
        }
        return loaded;
    }
}
