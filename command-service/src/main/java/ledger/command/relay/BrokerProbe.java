package ledger.command.relay;

import java.time.Duration;

/** Asks the Kafka cluster to describe itself; fails when no broker answers within the timeout. */
interface BrokerProbe {

    /** Returns the cluster id. */
    String describeCluster(Duration timeout) throws Exception;
}
