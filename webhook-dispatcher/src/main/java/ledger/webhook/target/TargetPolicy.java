package ledger.webhook.target;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which webhook targets may be called. In production only {@code https://} URLs whose every address is
 * public: a merchant must not be able to make the dispatcher reach loopback, the private network, the
 * cloud metadata service (169.254.169.254) or anything else inside. {@code allowPrivate} lifts both rules
 * for local development and tests.
 *
 * <p>URLs are checked when an endpoint is saved; addresses are checked again on every connection, on the
 * address actually connected to ({@link GuardedDnsResolver}, {@link GuardedSocketFactory}), because DNS
 * can answer differently between the check and the connect.
 */
public final class TargetPolicy {

    /** Longest accepted URL. */
    public static final int MAX_URL_LENGTH = 2048;

    private final boolean allowPrivate;

    public TargetPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Why {@code url} can't be a webhook target, or empty if it can (as far as can be told without DNS). */
    public Optional<String> urlProblem(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("url is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            return Optional.of("url is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
            return Optional.of(allowPrivate ? "url must use http:// or https://" : "url must use https://");
        }
        if (uri.getRawAuthority() == null || uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("url has no valid host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("url must not contain credentials");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("url must not contain a fragment");
        }
        if (!allowPrivate) {
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if (host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".local")
                    || host.endsWith(".internal")) {
                return Optional.of("url must point to a public host");
            }
            Optional<InetAddress> literal = literalAddress(host);
            if (literal.isPresent() && !isPublic(literal.get())) {
                return Optional.of("url must point to a public address");
            }
        }
        return Optional.empty();
    }

    /** Throws unless a connection to {@code address} is allowed. */
    public void checkAddress(String host, InetAddress address) throws BlockedTargetException {
        if (!allowPrivate && !isPublic(address)) {
            throw new BlockedTargetException("Refusing non-public address " + address.getHostAddress()
                    + (host == null ? "" : " for " + host));
        }
    }

    /**
     * Whether an address is on the public internet: not unspecified, loopback, private (RFC 1918),
     * shared/CGNAT (100.64/10), link-local (incl. 169.254.169.254), unique-local (fc00::/7), multicast,
     * documentation, benchmarking or reserved. IPv6 forms that embed an IPv4 address are judged by it.
     */
    public static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (address instanceof Inet6Address) {
            return isPublicV6(b);
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        return !(a0 == 0                                  // 0.0.0.0/8 "this network"
                || a0 == 10                               // 10/8 private
                || a0 == 127                              // loopback
                || a0 == 100 && (a1 & 0xc0) == 64         // 100.64/10 shared address space (CGNAT)
                || a0 == 169 && a1 == 254                 // link-local, cloud metadata
                || a0 == 172 && (a1 & 0xf0) == 16         // 172.16/12 private
                || a0 == 192 && a1 == 0 && a2 == 0        // 192.0.0/24 IETF protocol assignments
                || a0 == 192 && a1 == 0 && a2 == 2        // TEST-NET-1
                || a0 == 192 && a1 == 88 && a2 == 99      // 6to4 relay anycast (deprecated)
                || a0 == 192 && a1 == 168                 // 192.168/16 private
                || a0 == 198 && (a1 & 0xfe) == 18         // 198.18/15 benchmarking
                || a0 == 198 && a1 == 51 && a2 == 100     // TEST-NET-2
                || a0 == 203 && a1 == 0 && a2 == 113      // TEST-NET-3
                || a0 >= 224);                            // multicast, reserved, broadcast
    }

    private static boolean isPublicV6(byte[] b) {
        int first = b[0] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return false;                                 // fc00::/7 unique local
        }
        if (first == 0xfe) {
            return false;                                 // fe80::/10 link-local, fec0::/10 site-local (deprecated)
        }
        if (first == 0xff) {
            return false;                                 // multicast
        }
        if (startsWith(b, 0x20, 0x01, 0x0d, 0xb8)) {
            return false;                                 // 2001:db8::/32 documentation
        }
        if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return isPublicV4(slice(b, 12));               // ::ffff:a.b.c.d IPv4-mapped
        }
        if (allZero(b, 0, 12)) {
            return false;                                 // ::, ::1 and deprecated IPv4-compatible ::a.b.c.d
        }
        if (startsWith(b, 0x00, 0x64, 0xff, 0x9b) && allZero(b, 4, 12)) {
            return isPublicV4(slice(b, 12));               // 64:ff9b::/96 NAT64
        }
        if (startsWith(b, 0x20, 0x02)) {
            return isPublicV4(slice(b, 2));                // 2002::/16 6to4 embeds an IPv4 address
        }
        return true;
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] b, int from) {
        return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
    }

    /** The address a host string denotes literally (an IP), without any DNS lookup. */
    static Optional<InetAddress> literalAddress(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // At most four dotted numbers: Java parses those itself (also short forms like 127.1); anything
        // longer would be handed to DNS, which validation must not do.
        boolean v4 = h.matches("\\d+(\\.\\d+){0,3}");
        boolean v6 = h.contains(":") && h.matches("[0-9a-fA-F:.%a-zA-Z]+");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            // For a literal, getByName parses without querying DNS.
            return Optional.of(InetAddress.getByName(h));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
