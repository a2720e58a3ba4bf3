package ledger.webhook.target;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import org.apache.hc.client5.http.io.DetachedSocketFactory;

/**
 * Makes the plain sockets webhook connections run on (TLS is layered on top of them). Each socket
 * checks the address it is about to connect to against the {@link TargetPolicy} — the last line of
 * defence against DNS rebinding: whatever any resolver said, a refused address is never connected to.
 */
public final class GuardedSocketFactory implements DetachedSocketFactory {

    private final TargetPolicy policy;

    public GuardedSocketFactory(TargetPolicy policy) {
        this.policy = policy;
    }

    @Override
    public Socket create(Proxy proxy) {
        // Webhooks never go through a proxy: the address checked must be the address connected to.
        return new GuardedSocket(policy);
    }

    /** A socket that refuses to connect to an address the policy does not allow. */
    static final class GuardedSocket extends Socket {

        private final TargetPolicy policy;

        GuardedSocket(TargetPolicy policy) {
            this.policy = policy;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress inet) || inet.isUnresolved()) {
                throw new BlockedTargetException("Refusing to connect to an unresolved address: " + endpoint);
            }
            policy.checkAddress(inet.getHostString(), inet.getAddress());
            super.connect(endpoint, timeout);
        }
    }
}
