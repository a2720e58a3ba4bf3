package ledger.webhook.inbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import ledger.support.consumer.ConsumedBatch;
import ledger.support.consumer.InvoiceEventHandler;
import ledger.webhook.delivery.DeliveryWorker;
import ledger.webhook.delivery.WebhookEvents;
import org.springframework.stereotype.Component;

/**
 * The dispatcher's handler of the shared ledger consumer: each event applied becomes a webhook carrying the
 * invoice exactly as it stood after that event, with its deliveries planned, in the poll's transaction — so
 * webhooks follow each invoice's sequence order, and an event that arrived before its predecessor is
 * published as soon as the gap is filled. After the commit the worker is woken: it can claim only committed
 * deliveries.
 */
@Component
class InvoiceTimeline implements InvoiceEventHandler {

    private final WebhookEvents webhooks;
    private final DeliveryWorker worker;
    private final Counter recorded;
    private final Counter duplicates;

    InvoiceTimeline(WebhookEvents webhooks, DeliveryWorker worker, MeterRegistry metrics) {
        this.webhooks = webhooks;
        this.worker = worker;
        this.recorded = metrics.counter("ledger.webhook.inbox.events", "outcome", "recorded");
        this.duplicates = metrics.counter("ledger.webhook.inbox.events", "outcome", "duplicate");
    }

    @Override
    public void apply(ConsumedBatch batch) {
        webhooks.publish(batch.applied().stream()
                .map(a -> new WebhookEvents.Published(a.event(), a.view())).toList());
    }

    @Override
    public void committed(ConsumedBatch batch) {
        recorded.increment(batch.recorded().size());
        duplicates.increment(batch.received() - batch.recorded().size());
        if (!batch.recorded().isEmpty()) {
            worker.wake();
        }
    }
}
