package ledger.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stands in for a service's -exec.jar in {@link LocalLedgerFakeServicesIT}: reports UP (or, if
 * named by FAKE_DOWN, DOWN), shows
 * the environment it got at {@code /env}, the gateway also answers the admin API, and every
 * process notes its start and stop in the file {@code FAKE_EVENTS}.
 */
public final class FakeService {

    public static void main(String[] args) throws IOException {
        // Started as java -jar <repo>/<module>/target/<module>-exec.jar
        String name = Path.of(System.getProperty("sun.java.command").split(" ")[0]).getParent().getParent().getFileName().toString();
        if (name.equals(System.getenv("FAKE_FAIL"))) {
            System.out.println("boom: " + name + " cannot start today");
            System.exit(3);
        }
        Path events = Path.of(System.getenv("FAKE_EVENTS"));
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(System.getenv("SERVER_PORT"))), 0);
        boolean down = name.equals(System.getenv("FAKE_DOWN"));
        server.createContext("/actuator/health", exchange -> {
            try (exchange) {
                if (down) {
                    FakeAdminApi.respond(exchange, 503, "{\"status\":\"DOWN\"}");
                } else {
                    FakeAdminApi.respond(exchange, 200, "{\"status\":\"UP\"}");
                }
            }
        });
        server.createContext("/env", exchange -> {
            try (exchange) {
                Map<String, String> env = new TreeMap<>(System.getenv());
                env.keySet().removeIf(key -> !key.startsWith("LEDGER_") && !key.equals("SERVER_PORT"));
                FakeAdminApi.respond(exchange, 200, new ObjectMapper().writeValueAsString(env));
            }
        });
        if (System.getenv("LEDGER_COMMAND_URL") != null) {
            server.createContext("/admin/", new FakeAdminApi(System.getenv("LEDGER_ADMIN_TOKEN"), Path.of(System.getenv("FAKE_ADMIN_STATE"))));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            note(events, "stopped " + name);
            server.stop(0);
        }));
        server.start();
        note(events, "started " + name);
    }

    private static synchronized void note(Path events, String line) {
        try {
            Files.writeString(events, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
