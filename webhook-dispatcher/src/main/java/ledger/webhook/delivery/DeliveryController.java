package ledger.webhook.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import ledger.events.EventId;
import ledger.events.Ids;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import ledger.support.web.ApiList;
import ledger.support.web.ListParams;
import ledger.webhook.endpoint.Endpoint;
import ledger.webhook.endpoint.Endpoints;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Delivery history and recovery (§6): every attempt to an endpoint, resending one event, and resending
 * everything that failed since a moment (after an outage on the merchant's side).
 */
@RestController
class DeliveryController {

    private final DeliveryQueue queue;
    private final Endpoints endpoints;
    private final DeliveryWorker worker;
    private final TransactionTemplate transaction;
    private final Clock clock;

    DeliveryController(DeliveryQueue queue, Endpoints endpoints, DeliveryWorker worker,
                       TransactionTemplate transaction, Clock clock) {
        this.queue = queue;
        this.endpoints = endpoints;
        this.worker = worker;
        this.transaction = transaction;
        this.clock = clock;
    }

    record Redeliver(String endpoint) {
    }

    record Redelivery(String object, String event, List<String> endpoints, boolean callbackUrl) {
    }

    /** {@code since}: RFC 3339 text only, never epoch seconds (the HTTP mapper's strict time reading, §4.1). */
    record Recover(Instant since) {
    }

    record Recovery(String object, String endpoint, Instant since, int requeued) {
    }

    @GetMapping("/v1/webhook_endpoints/{id}/deliveries")
    @RequiresScope(Scopes.WEBHOOKS_READ)
    ApiList<DeliveryQueue.AttemptView> deliveries(@PathVariable String id,
                                                  @RequestParam(required = false) Integer limit,
                                                  @RequestParam(name = "starting_after", required = false) String startingAfter,
                                                  @RequestParam(name = "ending_before", required = false) String endingBefore,
                                                  @RequestParam(required = false) String event,
                                                  ApiPrincipal principal) {
        var params = ListParams.of(limit, startingAfter, endingBefore);
        return queue.attempts(owned(id, principal).id(), event, params);
    }

    /**
     * Sends one event again: to the one endpoint named in the body, or else to every enabled endpoint of
     * the store subscribed to its type and to the invoice's callback URL. Each gets a fresh round of attempts.
     * The event and the endpoint are both looked up in the key's mode, so they are always of the same mode.
     */
    @PostMapping("/v1/events/{id}/redeliver")
    @RequiresScope(Scopes.WEBHOOKS_WRITE)
    ResponseEntity<Redelivery> redeliver(@PathVariable String id, @RequestBody(required = false) Redeliver body,
                                         ApiPrincipal principal) {
        var redelivery = transaction.execute(status -> requeue(id, body, principal));
        worker.wake();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(redelivery);
    }

    private Redelivery requeue(String id, Redeliver body, ApiPrincipal principal) {
        if (!Ids.isWellFormed(id, EventId.PREFIX)) {
            throw ApiException.notFound("event: " + id);
        }
        var event = queue.event(principal.storeId(), principal.livemode(), id)
                .orElseThrow(() -> ApiException.notFound("event: " + id));
        Instant now = clock.instant();
        var targets = new ArrayList<String>();
        boolean callback = false;
        if (body != null && body.endpoint() != null) {
            var endpoint = endpoints.find(principal.storeId(), principal.livemode(), body.endpoint())
                    .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "resource_missing",
                            "No such webhook endpoint: " + body.endpoint(), "endpoint"));
            requireEnabled(endpoint);
            targets.add(endpoint.id());
        } else {
            for (Endpoint endpoint : endpoints.subscribers(event.storeId(), event.type(), event.livemode())) {
                if (!endpoint.disabled()) {
                    targets.add(endpoint.id());
                }
            }
            callback = event.callbackUrl() != null;
        }
        targets.forEach(endpointId -> queue.requeue(event, endpointId, now));
        if (callback) {
            queue.requeueCallback(event, now);
        }
        return new Redelivery("redelivery", event.eventId(), targets, callback);
    }

    /** Resends every event since {@code since} whose delivery to this endpoint failed. */
    @PostMapping("/v1/webhook_endpoints/{id}/recover")
    @RequiresScope(Scopes.WEBHOOKS_WRITE)
    ResponseEntity<Recovery> recover(@PathVariable String id, @RequestBody(required = false) Recover body,
                                     ApiPrincipal principal) {
        if (body == null || body.since() == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "parameter_missing", "Missing required parameter: since",
                    "since");
        }
        Instant since = body.since();
        Instant now = clock.instant();
        if (since.isAfter(now)) {
            throw ApiException.invalid("since", "since must not be in the future");
        }
        var endpoint = owned(id, principal);
        requireEnabled(endpoint);
        int requeued = queue.recover(endpoint.id(), since, now);
        worker.wake();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(new Recovery("webhook_recovery", endpoint.id(), since, requeued));
    }

    private Endpoint owned(String id, ApiPrincipal principal) {
        return endpoints.find(principal.storeId(), principal.livemode(), id)
                .orElseThrow(() -> ApiException.notFound("webhook endpoint: " + id));
    }

    private static void requireEnabled(Endpoint endpoint) {
        if (endpoint.disabled()) {
            throw new ApiException(HttpStatus.CONFLICT, "endpoint_disabled",
                    "Webhook endpoint " + endpoint.id() + " is disabled; enable it first (PATCH disabled=false)");
        }
    }
}
