package ledger.webhook.target;

import java.net.UnknownHostException;

/**
 * A webhook target refused by the {@link TargetPolicy}. It extends {@link UnknownHostException} so that
 * the HTTP client treats a refused name like one that does not resolve: no connection is attempted.
 */
public final class BlockedTargetException extends UnknownHostException {

    public BlockedTargetException(String message) {
        super(message);
    }
}
