package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** The ports of one running stack, with every 0 of the configuration replaced by a free port. */
record Ports(int postgres, int kafka, int kafkaController, int gateway, int gatewayManagement, int command, int query,
             int webhook) {

    static Ports resolve(LocalLedger.Config config) {
        Set<Integer> taken = new HashSet<>();
        return new Ports(
                pick(config.postgresPort(), taken),
                pick(config.kafkaPort(), taken),
                pick(config.kafkaControllerPort(), taken),
                pick(config.gatewayPort(), taken),
                pick(config.gatewayManagementPort(), taken),
                pick(config.commandPort(), taken),
                pick(config.queryPort(), taken),
                pick(config.webhookPort(), taken));
    }

    int of(Service service) {
        return switch (service) {
            case COMMAND -> command;
            case QUERY -> query;
            case WEBHOOK -> webhook;
            case GATEWAY -> gateway;
        };
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // The port is released again before the server binds it, so another process could grab it in
    // between; for a local stack and tests that is an acceptable risk. The set keeps two zeros of
    // one configuration from getting the same port.
    private static int pick(int configured, Set<Integer> taken) {
        if (configured != 0) {
            taken.add(configured);
            return configured;
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (taken.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not find a free port", e);
            }
        }
        throw new IllegalStateException("could not find a free port");
    }
}
