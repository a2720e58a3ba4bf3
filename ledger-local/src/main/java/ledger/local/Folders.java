package ledger.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a data folder the launcher, the bench or a test made (PostgreSQL, Kafka, logs). */
public final class Folders {

    private Folders() {
    }

    /** Deletes {@code dir} and everything below it; a folder that is not there is already deleted. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
