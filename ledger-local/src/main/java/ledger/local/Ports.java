package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The ports of one running stack, with every 0 of the configuration replaced by a free port. Each backend
 * service has one port per instance; a configured port is the first instance's, and instance {@code i}
 * listens {@code 100 * i} above it (command-service on 8081, 8181, 8281…).
 */
record Ports(int postgres, int kafka, int kafkaController, int gateway, int gatewayManagement, List<Integer> command,
             List<Integer> query, List<Integer> webhook) {

    static final int INSTANCE_PORT_STEP = 100;

    Ports {
        command = List.copyOf(command);
        query = List.copyOf(query);
        webhook = List.copyOf(webhook);
    }

    static Ports resolve(LocalLedger.Config config) {
        Set<Integer> taken = new HashSet<>();
        return new Ports(
                pick(config.postgresPort(), taken),
                pick(config.kafkaPort(), taken),
                pick(config.kafkaControllerPort(), taken),
                pick(config.gatewayPort(), taken),
                pick(config.gatewayManagementPort(), taken),
                instances(config.commandPort(), config.instances(), taken),
                instances(config.queryPort(), config.instances(), taken),
                instances(config.webhookPort(), config.instances(), taken));
    }

    /** Every instance's port; the gateway runs once. */
    List<Integer> of(Service service) {
        return switch (service) {
            case COMMAND -> command;
            case QUERY -> query;
            case WEBHOOK -> webhook;
            case GATEWAY -> List.of(gateway);
        };
    }

    int of(Service service, int instance) {
        return of(service).get(instance);
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

    private static List<Integer> instances(int configured, int count, Set<Integer> taken) {
        return IntStream.range(0, count)
                .mapToObj(i -> pick(configured == 0 ? 0 : configured + INSTANCE_PORT_STEP * i, taken))
                .toList();
    }

    // The port is released again before the server binds it, so another process could grab it in
    // between; for a local stack and tests that is an acceptable risk. The set keeps two zeros of
    // one configuration from getting the same port.
    private static int pick(int configured, Set<Integer> taken) {
        if (configured != 0) {
            if (configured > 65535) {
                throw new IllegalArgumentException("instance port " + configured + " is above 65535: "
                        + "lower the service's port or LEDGER_INSTANCES");
            }
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
