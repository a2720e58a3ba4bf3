package ledger.support.idempotency;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes the {@code Idempotency-Key} records past the 24 hours their replays are promised for, on Spring's
 * scheduler: a minute after start, then hourly. Every instance of a service purges; a second purge finds nothing.
 */
public final class IdempotencyPurge {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyPurge.class);

    private final Idempotency idempotency;

    public IdempotencyPurge(Idempotency idempotency) {
        this.idempotency = idempotency;
    }

    @Scheduled(initialDelay = 1, fixedDelay = 60, timeUnit = TimeUnit.MINUTES)
    public void purge() {
        try {
            int purged = idempotency.purgeExpired();
            log.debug("purged {} expired Idempotency-Key records", purged);
        } catch (DataAccessException e) {
            log.warn("Idempotency-Key records not purged this hour: {}", e.getMessage()); // the next run catches up
        }
    }
}
