package ledger.webhook.target;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;

/**
 * Resolves a target host and refuses it if any of its addresses is not allowed — one private address
 * among public ones is enough, since the client may try them all. The client then connects only to
 * the addresses returned here (and {@link GuardedSocketFactory} checks each again at connect time).
 */
public final class GuardedDnsResolver implements DnsResolver {

    private final DnsResolver delegate;
    private final TargetPolicy policy;

    public GuardedDnsResolver(DnsResolver delegate, TargetPolicy policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = delegate.resolve(host);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(host);
        }
        for (InetAddress address : addresses) {
            policy.checkAddress(host, address);
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return delegate.resolveCanonicalHostname(host);
    }
}
