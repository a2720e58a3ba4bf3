package ledger.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code .ledger-data/local.properties}: what the launcher must remember between runs so that a
 * restart keeps the same admin token, demo store and demo key.
 */
final class LocalProperties {

    static final String ADMIN_TOKEN = "admin.token";
    static final String DEMO_STORE_ID = "demo.store.id";
    static final String DEMO_API_KEY = "demo.api.key";

    private final Path file;
    private final Properties values = new Properties();

    private LocalProperties(Path file) {
        this.file = file;
    }

    static LocalProperties load(Path file) {
        LocalProperties properties = new LocalProperties(file);
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.values.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + file, e);
            }
        }
        return properties;
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(values.getProperty(key)).filter(value -> !value.isBlank());
    }

    LocalProperties put(String key, String value) {
        values.setProperty(key, value);
        return this;
    }

    /**
     * An explicitly configured token wins; otherwise the one generated on the first run, so that
     * scripts holding it keep working after a restart.
     */
    String adminToken(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return get(ADMIN_TOKEN).orElseGet(() -> {
            String generated = "adm_" + Secrets.randomToken();
            put(ADMIN_TOKEN, generated).save();
            return generated;
        });
    }

    /** Written atomically and readable by the owner only: the file holds the admin token and a key. */
    void save() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                values.store(writer, "ledger-local state: admin token and demo store. Delete to start afresh.");
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }
}
