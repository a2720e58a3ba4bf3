package ledger.command.invoice.web;

import java.util.ArrayList;
import java.util.List;
import ledger.events.InvoiceId;
import ledger.events.InvoiceView;
import ledger.events.LedgerEvent;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

/** An invoice as its own events in the store say it is now: exact at once after a write, unlike the read model. */
@Component
class InvoiceHistory {

    private final EventStore events;

    InvoiceHistory(EventStore events) {
        this.events = events;
    }

    InvoiceView current(InvoiceId invoice) {
        List<LedgerEvent> history = new ArrayList<>();
        events.readEvents(invoice.value()).asStream().forEach(m -> history.add((LedgerEvent) m.getPayload()));
        return InvoiceView.replay(history);
    }
}
