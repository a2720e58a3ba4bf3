package ledger.command.eventstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ledger.events.InvoiceCreated;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * An {@link InvoiceCreated} stored before line items (revision 1, which Axon stored without a payload revision)
 * is read as revision 2 — by the aggregate and by the relay, so Kafka carries only the current revision.
 */
class InvoiceCreatedUpcaster extends SingleEventUpcaster {

    private static final SimpleSerializedType REVISION_1 =
            new SimpleSerializedType(InvoiceCreated.class.getName(), null);
    private static final SimpleSerializedType REVISION_2 =
            new SimpleSerializedType(InvoiceCreated.class.getName(), Integer.toString(InvoiceCreated.REVISION));

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation event) {
        return event.getType().equals(REVISION_1);
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation event) {
        return event.upcastPayload(REVISION_2, JsonNode.class,
                json -> InvoiceCreated.upcastToRevision2((ObjectNode) json));
    }
}
