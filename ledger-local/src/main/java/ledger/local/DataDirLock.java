package ledger.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One stack per data directory. The lock also tells a later run (or the {@link Watchdog}) whether
 * pids remembered in run/ belong to a live launcher or were left behind by a killed one; the OS
 * drops it when the process dies, however it dies.
 */
final class DataDirLock implements AutoCloseable {

    private final FileChannel channel;

    private DataDirLock(FileChannel channel) {
        this.channel = channel;
    }

    /** The lock, or null when another process (or this one) holds it. */
    static DataDirLock tryAcquire(Path dataDir) throws IOException {
        FileChannel channel = FileChannel.open(dataDir.resolve("ledger.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            return null;
        }
        return new DataDirLock(channel);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing releases the lock; if even that fails, process exit will.
        }
    }
}
