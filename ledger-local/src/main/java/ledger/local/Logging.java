package ledger.local;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Keeps the embedded servers' INFO chatter off the terminal of whoever hosts them. */
final class Logging {

    private static final String[] NOISY = {"kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper", "io.zonky"};

    private Logging() {
    }

    interface IoAction {
        void run() throws java.io.IOException;
    }

    /** Runs {@code action} with {@code loggerName} switched off: for failures that are expected and handled. */
    static void silenced(String loggerName, IoAction action) throws java.io.IOException {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            action.run();
            return;
        }
        Logger logger = context.getLogger(loggerName);
        Level before = logger.getLevel();
        logger.setLevel(Level.OFF);
        try {
            action.run();
        } finally {
            logger.setLevel(before);
        }
    }

    // Only loggers nobody configured are touched, so a test's or a host's logback.xml still wins.
    static void quietInfrastructure() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        for (String name : NOISY) {
            Logger logger = context.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARN);
            }
        }
    }
}
