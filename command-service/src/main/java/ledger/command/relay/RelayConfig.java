package ledger.command.relay;

import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;

@Configuration
class RelayConfig {

    /**
     * The default LoggingErrorHandler would log a failed publish and move the token on — silently
     * dropping that event from Kafka. Propagating makes the processor back off and retry the same
     * event until the broker takes it.
     */
    @Autowired
    void relayErrorsPropagate(EventProcessingConfigurer configurer) {
        configurer.registerListenerInvocationErrorHandler(KafkaRelay.GROUP, c -> PropagatingErrorHandler.instance());
    }
}
