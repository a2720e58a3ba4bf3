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
