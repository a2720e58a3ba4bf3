package ledger.local.replay;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/** {@code ./ledger replay}: one rebuild, a progress bar on one redrawn line, exit 0 only if it completed. */
public final class ReplayCommand {

    private ReplayCommand() {
    }

    public static int run(URI gateway, String adminToken, PrintStream out) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        RebuildClient client = new RebuildClient(http, gateway, adminToken);
        RebuildProgress last;
        try {
            RebuildProgress started = client.start();
            out.println("rebuild " + started.id() + " of the invoice projection through " + gateway);
            last = client.follow(started, Duration.ofMillis(250), p -> {
                out.print("\r" + p.bar(40) + "   ");
                out.flush();
            });
        } catch (IOException e) {
            out.println();
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            System.err.println("ledger replay: " + gateway + ": " + why + (e instanceof java.net.ConnectException
                    ? " (is ./ledger up running? LEDGER_GATEWAY_PORT)" : ""));
            return 1;
        }
        out.println();
        if (!last.completed()) {
            System.err.println("ledger replay: rebuild " + last.id() + " ended " + last.state()
                    + (last.error() == null ? "" : ": " + last.error()));
            return 1;
        }
        out.printf("completed: %,d events in %.1f s (%,d events/s)%n", last.totalEvents() == null ? 0 : last.totalEvents(),
                last.elapsedMs() / 1000.0, last.eventsPerSecond());
        return 0;
    }
}
