package ledger.command.invoice.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a form post comes from the page it was served with (SPEC §8): no cookies exist, so nothing
 * ambient could be abused, but another site must still not make a visitor's browser pay a test invoice.
 * The browser says so itself — {@code Sec-Fetch-Site}, else {@code Origin} compared with the origin the
 * request was addressed to, as the gateway forwards it ({@code Host}, or the first {@code X-Forwarded-*}
 * a proxy in front set; a page cannot set those on a cross-site request). A client that sends neither
 * header is no browser, and could send anything anyway.
 */
final class SameOrigin {

    private SameOrigin() {
    }

    static boolean allows(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return false;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        var from = normalised(origin); // "null" (a sandboxed or privacy-redirected page) is no origin: refused
        return from.isPresent() && from.equals(normalised(own(request)));
    }

    private static String own(HttpServletRequest request) {
        String scheme = first(request.getHeader("X-Forwarded-Proto")).orElse(request.getScheme());
        String host = first(request.getHeader("X-Forwarded-Host")).or(() -> first(request.getHeader("Host")))
                .orElse(request.getServerName() + ":" + request.getServerPort());
        return scheme + "://" + host;
    }

    private static Optional<String> first(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.split(",", 2)[0].trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** scheme://host:port with the scheme's default port spelled out; empty for anything that is not an origin. */
    private static Optional<String> normalised(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            if (scheme == null || uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
                return Optional.empty();
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
            return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
