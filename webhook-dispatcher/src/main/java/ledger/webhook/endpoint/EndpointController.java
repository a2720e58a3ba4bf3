package ledger.webhook.endpoint;

import ledger.events.WebhookTypes;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import ledger.events.Ids;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import ledger.support.web.Text;
import ledger.webhook.WebhookProperties;
import ledger.webhook.target.TargetPolicy;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The merchant's webhook endpoints (§6). Everything is scoped to the key's store and mode (§3: test and
 * live are two ledgers): another store's or mode's endpoint answers 404 exactly like a missing one. The
 * signing secret is shown only when it is made (creation, rotation).
 */
@RestController
class EndpointController {

    static final String PREFIX = "we_";
    private static final int MAX_DESCRIPTION = 255;
    /**
     * Rotated-out secrets still signing: each adds a signature to every delivery until it expires, so
     * rotating without end would grow the header past what receivers accept.
     */
    static final int MAX_PREVIOUS_SECRETS = 10;

    private final Endpoints endpoints;
    private final TargetPolicy policy;
    private final WebhookProperties properties;
    private final Clock clock;

    EndpointController(Endpoints endpoints, TargetPolicy policy, WebhookProperties properties, Clock clock) {
        this.endpoints = endpoints;
        this.policy = policy;
        this.properties = properties;
        this.clock = clock;
    }

    record CreateEndpoint(String url, List<String> enabledEvents, String description, Boolean disabled) {
    }

    record UpdateEndpoint(String url, List<String> enabledEvents, String description, Boolean disabled) {
    }

    /**
     * An endpoint as merchants see it; {@code secret} appears only in the responses that create one.
     * {@code previousSecretExpiresAt} is when the last previous secret stops signing (null once none does).
     */
    record EndpointView(String id, String object, String url, List<String> enabledEvents, String description,
                        boolean disabled, String disabledReason, boolean livemode, Instant createdAt,
                        Instant updatedAt, Instant previousSecretExpiresAt,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {

        static EndpointView of(Endpoint e, Instant now, boolean withSecret) {
            return new EndpointView(e.id(), "webhook_endpoint", e.url(), e.enabledEvents(), e.description(),
                    e.disabled(), e.disabledReason(), e.livemode(), e.createdAt(), e.updatedAt(),
                    e.previousSecretsExpireAt(now), withSecret ? e.secret() : null);
        }
    }

    record Deleted(String id, String object, boolean deleted) {
    }

    @PostMapping("/v1/webhook_endpoints")
    @RequiresScope(Scopes.WEBHOOKS_WRITE)
    @Transactional
    ResponseEntity<EndpointView> create(@RequestBody CreateEndpoint body, ApiPrincipal principal) {
        String url = validUrl(body.url());
        List<String> events = validEvents(body.enabledEvents() == null ? List.of(WebhookTypes.WILDCARD)
                : body.enabledEvents());
        String description = validDescription(body.description());
        if (endpoints.count(principal.storeId(), principal.livemode()) >= properties.maxEndpointsPerStore()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "endpoint_limit_reached",
                    "A store can have at most " + properties.maxEndpointsPerStore() + " webhook endpoints in each mode");
        }
        Instant now = clock.instant();
        boolean disabled = Boolean.TRUE.equals(body.disabled());
        var endpoint = new Endpoint(Ids.random(PREFIX), principal.storeId(), url, events, description,
                principal.livemode(), disabled, disabled ? "merchant" : null, EndpointSecrets.generate(), List.of(),
                null, now, now);
        endpoints.insert(endpoint);
        return ResponseEntity.created(URI.create("/v1/webhook_endpoints/" + endpoint.id()))
                .body(EndpointView.of(endpoint, now, true));
    }

    @GetMapping("/v1/webhook_endpoints")
    @RequiresScope(Scopes.WEBHOOKS_READ)
    ApiList<EndpointView> list(@RequestParam(required = false) Integer limit,
                               @RequestParam(name = "starting_after", required = false) String startingAfter,
                               @RequestParam(name = "ending_before", required = false) String endingBefore,
                               ApiPrincipal principal) {
        var params = ListParams.of(limit, startingAfter, endingBefore);
        var page = endpoints.page(principal.storeId(), principal.livemode(), params);
        Instant now = clock.instant();
        return ApiList.of(page.data().stream().map(e -> EndpointView.of(e, now, false)).toList(), page.hasMore());
    }

    @GetMapping("/v1/webhook_endpoints/{id}")
    @RequiresScope(Scopes.WEBHOOKS_READ)
    EndpointView get(@PathVariable String id, ApiPrincipal principal) {
        return EndpointView.of(owned(id, principal), clock.instant(), false);
    }

    @PatchMapping("/v1/webhook_endpoints/{id}")
    @RequiresScope(Scopes.WEBHOOKS_WRITE)
    @Transactional
    EndpointView update(@PathVariable String id, @RequestBody UpdateEndpoint body, ApiPrincipal principal) {
        var e = owned(id, principal);
        String url = body.url() == null ? e.url() : validUrl(body.url());
        List<String> events = body.enabledEvents() == null ? e.enabledEvents() : validEvents(body.enabledEvents());
        String description = body.description() == null ? e.description() : validDescription(body.description());
        boolean disabled = e.disabled();
        String reason = e.disabledReason();
        Instant failingSince = e.failingSince();
        if (body.disabled() != null && body.disabled() != e.disabled()) {
            disabled = body.disabled();
            reason = disabled ? "merchant" : null;
            // Re-enabling starts a fresh failure streak; the old one must not disable it again at once.
            failingSince = null;
        }
        Instant now = clock.instant();
        var updated = new Endpoint(e.id(), e.storeId(), url, events, description, e.livemode(), disabled, reason,
                e.secret(), e.previousSecrets(), failingSince, e.createdAt(), now);
        endpoints.update(updated);
        return EndpointView.of(updated, now, false);
    }

    @DeleteMapping("/v1/webhook_endpoints/{id}")
    @RequiresScope(Scopes.WEBHOOKS_WRITE)
    @Transactional
    Deleted delete(@PathVariable String id, ApiPrincipal principal) {
        var e = owned(id, principal);
        endpoints.delete(e.id(), clock.instant());
        return new Deleted(e.id(), "webhook_endpoint", true);
    }

    /**
     * A new secret signs from now on; the old one keeps signing alongside it for the configured overlap
     * (24 h by default), so receivers can switch without missing a delivery. Secrets retired by earlier
     * rotations keep signing until their own expiry too: each rotation's answer stays true.
     */
    @PostMapping("/v1/webhook_endpoints/{id}/rotate_secret")
    @RequiresScope(Scopes.WEBHOOKS_WRITE)
    @Transactional
    EndpointView rotateSecret(@PathVariable String id, ApiPrincipal principal) {
        var e = owned(id, principal, true);
        Instant now = clock.instant();
        var signing = e.signingPreviousSecrets(now);
        if (signing.size() >= MAX_PREVIOUS_SECRETS) {
            throw new ApiException(HttpStatus.CONFLICT, "rotation_limit_reached", signing.size()
                    + " previous secrets still sign this endpoint's deliveries; rotate again after "
                    + signing.stream().map(Endpoint.PreviousSecret::expiresAt).min(Comparator.naturalOrder())
                    .orElseThrow() + ", when the oldest expires");
        }
        var rotated = e.rotated(EndpointSecrets.generate(), properties.secretRotationOverlap(), now);
        endpoints.rotate(rotated);
        return EndpointView.of(rotated, now, true);
    }

    private Endpoint owned(String id, ApiPrincipal principal) {
        return owned(id, principal, false);
    }

    private Endpoint owned(String id, ApiPrincipal principal, boolean lock) {
        if (!Ids.isWellFormed(id, PREFIX)) {
            throw ApiException.notFound("webhook endpoint: " + id);
        }
        var endpoint = lock ? endpoints.lock(principal.storeId(), principal.livemode(), id)
                : endpoints.find(principal.storeId(), principal.livemode(), id);
        return endpoint.orElseThrow(() -> ApiException.notFound("webhook endpoint: " + id));
    }

    private String validUrl(String url) {
        if (url == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "parameter_missing", "Missing required parameter: url", "url");
        }
        policy.urlProblem(url).ifPresent(problem -> {
            throw new ApiException(HttpStatus.BAD_REQUEST, "url_invalid", problem, "url");
        });
        return url;
    }

    static List<String> validEvents(List<String> requested) {
        if (requested.isEmpty()) {
            throw ApiException.invalid("enabled_events", "enabled_events must list at least one event type, or \"*\"");
        }
        var events = new LinkedHashSet<String>();
        var unknown = new ArrayList<String>();
        for (String type : requested) {
            if (type == null) {
                throw ApiException.invalid("enabled_events", "enabled_events must not contain null");
            }
            if (type.equals(WebhookTypes.WILDCARD) || WebhookTypes.ALL.contains(type)) {
                events.add(type);
            } else {
                unknown.add(type);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "unknown_event_type",
                    "Unknown event type(s) " + unknown + "; use \"*\" or any of " + WebhookTypes.ALL, "enabled_events");
        }
        if (events.contains(WebhookTypes.WILDCARD) && events.size() > 1) {
            throw ApiException.invalid("enabled_events", "\"*\" already includes every event type; send it alone");
        }
        return List.copyOf(events);
    }

    private static String validDescription(String description) {
        if (description == null) {
            return null;
        }
        if (Text.codePoints(description) > MAX_DESCRIPTION) {
            throw ApiException.invalid("description", "description must be at most " + MAX_DESCRIPTION + " characters");
        }
        return description.isEmpty() ? null : description;
    }
}
