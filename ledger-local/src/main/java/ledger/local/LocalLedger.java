package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The whole ledger on one machine: embedded PostgreSQL and Kafka, the four services as child
 * processes, and a demo store. {@code ./ledger up} and end-to-end tests both drive this class.
 *
 * <pre>{@code
 * try (LocalLedger ledger = new LocalLedger(LocalLedger.Config.ephemeral(repoDir, tempDir))) {
 *     LocalLedger.Demo demo = ledger.start();
 *     // call ledger.gatewayUrl() with demo.apiKey()
 * }
 * }</pre>
 *
 * <p>Not reusable: once closed, build a new instance (on the same data directory to prove that data
 * survives a restart). A JVM shutdown hook closes a started instance that nobody closed, and a
 * {@link Watchdog} stops its children if this JVM is killed outright.
 */
public final class LocalLedger implements AutoCloseable {

    /**
     * What to run where. A port of 0 means "pick a free one" (resolved when the {@link LocalLedger}
     * is constructed). {@code adminToken} and {@code demoApiKey} may be null: the first run then
     * generates them and {@code local.properties} in the data directory keeps them.
     *
     * @param repoDir             the checkout whose {@code <service>/target/<service>-exec.jar} files run
     * @param dataDir             PostgreSQL data, Kafka logs, service logs and local.properties
     * @param extraEnv            added to (and overriding) every service's environment
     * @param serviceStartTimeout how long each service may take to report UP
     * @param kafkaChildProcess   run Kafka as a child JVM rather than inside this one, so that
     *                            {@link LocalLedger#kill} can crash it alone (needs the Kafka jars
     *                            directly on this JVM's class path, as tests have them)
     * @param instances           how many of each backend service run (own ports, logs, pid files),
     *                            all on the one PostgreSQL and Kafka, behind the one gateway
     */
    public record Config(Path repoDir, Path dataDir,
                         int postgresPort, int kafkaPort, int kafkaControllerPort,
                         int gatewayPort, int gatewayManagementPort, int commandPort, int queryPort, int webhookPort,
                         String adminToken, String demoApiKey,
                         Map<String, String> extraEnv, Duration serviceStartTimeout, boolean kafkaChildProcess,
                         int instances) {

        public Config {
            Objects.requireNonNull(repoDir, "repoDir");
            Objects.requireNonNull(dataDir, "dataDir");
            repoDir = repoDir.toAbsolutePath().normalize();
            dataDir = dataDir.toAbsolutePath().normalize();
            for (int port : new int[] {postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort}) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("not a port: " + port);
                }
            }
            adminToken = blankToNull(adminToken);
            demoApiKey = blankToNull(demoApiKey);
            extraEnv = Map.copyOf(extraEnv == null ? Map.of() : extraEnv);
            serviceStartTimeout = serviceStartTimeout == null ? Duration.ofSeconds(120) : serviceStartTimeout;
            if (instances < 1) {
                throw new IllegalArgumentException("at least one instance of each service, not " + instances);
            }
        }

        /** The fixed ports of {@code ./ledger up}, data under {@code <repoDir>/.ledger-data}. */
        public static Config defaults(Path repoDir) {
            return new Config(repoDir, repoDir.resolve(".ledger-data"),
                    15432, 19092, 19093, 8080, 9080, 8081, 8082, 8083, null, null, Map.of(), null, false, 1);
        }

        /** Free ports everywhere: for tests that must not collide with a running {@code ./ledger up}. */
        public static Config ephemeral(Path repoDir, Path dataDir) {
            return new Config(repoDir, dataDir, 0, 0, 0, 0, 0, 0, 0, 0, null, null, Map.of(), null, false, 1);
        }

        /**
         * {@link #defaults} overridden by {@code LEDGER_DATA_DIR}, {@code LEDGER_PG_PORT},
         * {@code LEDGER_KAFKA_PORT}, {@code LEDGER_KAFKA_CONTROLLER_PORT}, {@code LEDGER_GATEWAY_PORT},
         * {@code LEDGER_GATEWAY_MANAGEMENT_PORT},
         * {@code LEDGER_COMMAND_PORT}, {@code LEDGER_QUERY_PORT}, {@code LEDGER_WEBHOOK_PORT},
         * {@code LEDGER_ADMIN_TOKEN}, {@code LEDGER_DEMO_API_KEY} and {@code LEDGER_INSTANCES}.
         */
        public static Config fromEnvironment(Path repoDir, Map<String, String> env) {
            Config d = defaults(repoDir);
            String dataDir = blankToNull(env.get("LEDGER_DATA_DIR"));
            return new Config(repoDir,
                    dataDir == null ? d.dataDir : repoDir.resolve(dataDir),
                    port(env, "LEDGER_PG_PORT", d.postgresPort),
                    port(env, "LEDGER_KAFKA_PORT", d.kafkaPort),
                    port(env, "LEDGER_KAFKA_CONTROLLER_PORT", d.kafkaControllerPort),
                    port(env, "LEDGER_GATEWAY_PORT", d.gatewayPort),
                    port(env, "LEDGER_GATEWAY_MANAGEMENT_PORT", d.gatewayManagementPort),
                    port(env, "LEDGER_COMMAND_PORT", d.commandPort),
                    port(env, "LEDGER_QUERY_PORT", d.queryPort),
                    port(env, "LEDGER_WEBHOOK_PORT", d.webhookPort),
                    env.get("LEDGER_ADMIN_TOKEN"),
                    env.get("LEDGER_DEMO_API_KEY"),
                    Map.of(), d.serviceStartTimeout, false,
                    instances(env.get("LEDGER_INSTANCES")));
        }

        public Config withDataDir(Path dataDir) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        public Config withAdminToken(String adminToken) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        public Config withDemoApiKey(String demoApiKey) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        public Config withExtraEnv(Map<String, String> extraEnv) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        public Config withServiceStartTimeout(Duration serviceStartTimeout) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        public Config withKafkaChildProcess(boolean kafkaChildProcess) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        public Config withInstances(int instances) {
            return new Config(repoDir, dataDir, postgresPort, kafkaPort, kafkaControllerPort, gatewayPort, gatewayManagementPort,
                    commandPort, queryPort, webhookPort, adminToken, demoApiKey, extraEnv, serviceStartTimeout, kafkaChildProcess,
                    instances);
        }

        private static int instances(String value) {
            if (blankToNull(value) == null) {
                return 1;
            }
            try {
                int instances = Integer.parseInt(value.trim());
                if (instances < 1) {
                    throw new NumberFormatException();
                }
                return instances;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("LEDGER_INSTANCES must be a whole number of at least 1, not '" + value + "'");
            }
        }

        private static int port(Map<String, String> env, String name, int fallback) {
            String value = blankToNull(env.get(name));
            if (value == null) {
                return fallback;
            }
            try {
                int port = Integer.parseInt(value.trim());
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a port number (0-65535), not '" + value + "'");
            }
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }
    }

    /** The demo store and its test-mode key with every scope. */
    public record Demo(String storeId, String apiKey) {
        @Override
        public String toString() {
            return "Demo[storeId=" + storeId + ", apiKey=" + Secrets.mask(apiKey) + "]";
        }
    }

    private final Config config;
    private final Ports ports;
    private final Consumer<String> progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    // Guards starting and registering a component against a concurrent close() (Ctrl-C during start).
    private final Object lifecycle = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<ServiceProcess> services = new ArrayList<>();
    private LocalPostgres postgres;
    private LocalKafka kafka;
    private Thread shutdownHook;
    private DataDirLock dataDirLock;
    private Watchdog watchdog;
    private volatile String adminToken;
    private volatile Demo demo;

    /** Progress lines ("postgres up on :15432 (1.4 s)") go to standard output. */
    public LocalLedger(Config config) {
        this(config, System.out::println);
    }

    public LocalLedger(Config config, Consumer<String> progress) {
        this.config = Objects.requireNonNull(config, "config");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.ports = Ports.resolve(config);
    }

    /**
     * Starts everything and returns the demo store; on failure stops what had started and throws.
     *
     * @throws CancellationException if {@link #close} was called (Ctrl-C, say) while starting
     */
    public Demo start() {
        try {
            requireServiceJars();
            launchInfrastructure();
            demo = launchServices();
            return demo;
        } catch (RuntimeException e) {
            boolean closedMeanwhile = closed.get();
            close();
            if (closedMeanwhile) {
                // What failed failed because everything was being stopped; that is not the news.
                CancellationException cancelled = new CancellationException("the local ledger was stopped while starting");
                cancelled.initCause(e);
                throw cancelled;
            }
            throw e;
        }
    }

    /**
     * Starts only PostgreSQL (with the {@code ledger} database) and Kafka. Does nothing if they
     * run already. On failure stops what had started and throws.
     */
    public void startInfrastructure() {
        try {
            launchInfrastructure();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void launchInfrastructure() {
        try {
            synchronized (lifecycle) {
                ensureOpen();
                if (postgres != null) {
                    return;
                }
                Logging.quietInfrastructure();
                Files.createDirectories(config.dataDir());
                lockDataDir();
                installShutdownHook();
                // Its watchdog only ever stops what is remembered in run/, so it may start first.
                watchdog = Watchdog.start(config.repoDir(), config.dataDir(), logDir().resolve("watchdog.log"));
                // A launcher whose watchdog could not act (killed along with it, say) may have left
                // its services and postgres running and holding the ports.
                stopLeftovers(config.repoDir(), config.dataDir(), progress);
                LocalPostgres pg = new LocalPostgres(config.dataDir().resolve("postgres"), ports.postgres(),
                        logDir().resolve("postgres.log"), progress);
                Map<String, Integer> infrastructurePorts = new LinkedHashMap<>();
                infrastructurePorts.put("postgres (LEDGER_PG_PORT)", ports.postgres());
                infrastructurePorts.put("kafka (LEDGER_KAFKA_PORT)", ports.kafka());
                infrastructurePorts.put("kafka controller (LEDGER_KAFKA_CONTROLLER_PORT)", ports.kafkaController());
                requireFree(infrastructurePorts);

                long began = System.nanoTime();
                postgres = pg;
                pg.start();
                progress.accept("postgres up on :" + ports.postgres() + (pg.initializedNow() ? ", new cluster" : "")
                        + " (" + seconds(began) + ")");

                began = System.nanoTime();
                LocalKafka k = config.kafkaChildProcess()
                        ? LocalKafka.childProcess(config.dataDir().resolve("kafka"), ports.kafka(), ports.kafkaController(),
                                runDir(), logDir().resolve("kafka.log"))
                        : new LocalKafka(config.dataDir().resolve("kafka"), ports.kafka(), ports.kafkaController());
                kafka = k;
                k.start();
                progress.accept("kafka up on :" + ports.kafka() + (k.formattedNow() ? ", new log directory" : "")
                        + " (" + seconds(began) + ")");
            }
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Stops what a dead launcher on {@code dataDir} left running, as remembered in its run/ folder and
     * postmaster.pid. The services go first: they hold database connections.
     */
    static void stopLeftovers(Path repoDir, Path dataDir, Consumer<String> progress) throws IOException {
        Path runDir = dataDir.resolve("run");
        for (Service service : Service.values()) {
            ServiceProcess.stopLeftovers(service, service.execJar(repoDir), runDir, progress);
        }
        LocalKafka.stopLeftover(runDir);
        new LocalPostgres(dataDir.resolve("postgres"), 0, dataDir.resolve("logs").resolve("postgres.log"), progress)
                .cleanUpAfterPreviousRun();
    }

    private void requireServiceJars() {
        for (Service service : Service.values()) {
            if (!Files.exists(service.execJar(config.repoDir()))) {
                throw new IllegalStateException(service.execJar(config.repoDir())
                        + " is missing: run ./mvnw -DskipTests package first (./ledger does)");
            }
        }
    }

    private Demo launchServices() {
        recordClientAdminToken(config.dataDir(), adminToken());
        Map<String, Integer> servicePorts = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            List<Integer> instancePorts = ports.of(service);
            for (int instance = 0; instance < instancePorts.size(); instance++) {
                servicePorts.put(ServiceProcess.name(service, instance) + " (" + service.portVariable
                        + (instance == 0 ? "" : " + " + Ports.INSTANCE_PORT_STEP * instance) + ")", instancePorts.get(instance));
            }
        }
        servicePorts.put("api-gateway management (LEDGER_GATEWAY_MANAGEMENT_PORT)", ports.gatewayManagement());
        requireFree(servicePorts);

        List<Service> backends = List.of(Service.COMMAND, Service.QUERY, Service.WEBHOOK);
        launchAndAwait(backends);
        // Ready means ready (SPEC §7): merchants take the gateway's health as the signal to start, so
        // the gateway comes last, once the printed key works on every service behind it.
        Demo created = DemoStore.ensure(new AdminApi(http, URI.create(commandUrl()), adminToken()), properties(),
                config.demoApiKey());
        long began = System.nanoTime();
        List<ServiceProcess> instances;
        synchronized (lifecycle) {
            instances = List.copyOf(services);
        }
        for (ServiceProcess instance : instances) {
            instance.awaitKeyAccepted(http, created.apiKey(), config.serviceStartTimeout());
        }
        progress.accept("demo store ready on every service (" + seconds(began) + ")");
        launchAndAwait(List.of(Service.GATEWAY));
        return created;
    }

    private void launchAndAwait(List<Service> batch) {
        long began = System.nanoTime();
        List<ServiceProcess> launched = new ArrayList<>();
        for (Service service : batch) {
            for (int instance = 0; instance < ports.of(service).size(); instance++) {
                ServiceProcess process = process(service, instance);
                synchronized (lifecycle) {
                    ensureOpen();
                    try {
                        process.start();
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not start " + process, e);
                    }
                    services.add(process);
                }
                launched.add(process);
            }
        }
        // One waiting thread per service; the first failure ends the wait for all of them.
        ExecutorService waiters = Executors.newFixedThreadPool(launched.size(), runnable -> {
            Thread thread = new Thread(runnable, "local-ledger-health");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletableFuture<Void> firstFailure = new CompletableFuture<>();
            List<CompletableFuture<Void>> health = launched.stream()
                    .map(process -> CompletableFuture.runAsync(() -> {
                        process.awaitHealthy(http, config.serviceStartTimeout());
                        progress.accept(process + " up on :" + process.port() + " (" + seconds(began) + ")");
                    }, waiters))
                    .toList();
            health.forEach(future -> future.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    firstFailure.completeExceptionally(failure);
                }
            }));
            CompletableFuture.anyOf(CompletableFuture.allOf(health.toArray(CompletableFuture[]::new)), firstFailure).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting services", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } finally {
            waiters.shutdown();
        }
    }

    private ServiceProcess process(Service service, int instance) {
        return new ServiceProcess(service, instance, ports.of(service, instance), service.execJar(config.repoDir()),
                config.repoDir(), logDir(), runDir(),
                ServiceEnvironment.forService(service, instance, ports, adminToken(), config.extraEnv()));
    }

    /**
     * Blocks until some service process exits; returns a description of it. After {@link #close}
     * began, returns once the services are stopped.
     */
    public String awaitServiceExit() throws InterruptedException {
        List<ServiceProcess> running;
        synchronized (lifecycle) {
            running = List.copyOf(services);
        }
        if (running.isEmpty()) {
            return "no service is running";
        }
        CompletableFuture<?>[] exits = running.stream()
                .map(process -> process.onExit().orElseThrow())
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(exits).get();
        } catch (ExecutionException e) {
            // onExit never completes exceptionally
        }
        for (ServiceProcess process : running) {
            if (!process.isAlive()) {
                return process + " exited with code " + process.exitValue() + "; the end of "
                        + process.logFile() + ":\n" + process.logTail(30);
            }
        }
        return "a service exited";
    }

    /** What {@link #kill} and {@link #restart} act on. */
    public enum Component {
        POSTGRES, KAFKA, COMMAND_SERVICE, QUERY_SERVICE, WEBHOOK_DISPATCHER, API_GATEWAY;

        private Service service() {
            return switch (this) {
                case COMMAND_SERVICE -> Service.COMMAND;
                case QUERY_SERVICE -> Service.QUERY;
                case WEBHOOK_DISPATCHER -> Service.WEBHOOK;
                case API_GATEWAY -> Service.GATEWAY;
                case POSTGRES, KAFKA -> null;
            };
        }
    }

    /**
     * Crashes one component with SIGKILL — no shutdown hook, no graceful stop, nothing flushed — and
     * returns once its process is gone. For crash tests; {@link #restart} brings it back. Kafka can
     * only be killed when it runs as a child process ({@link Config#kafkaChildProcess}).
     */
    public void kill(Component component) {
        kill(component, 0);
    }

    /**
     * Like {@link #kill(Component)}, for one instance of a backend service (0 is the first); with
     * {@link Config#instances} above one the others keep serving meanwhile.
     */
    public void kill(Component component, int instance) {
        try {
            synchronized (lifecycle) {
                ensureOpen();
                switch (component) {
                    case POSTGRES -> requireStarted(postgres, component).kill();
                    case KAFKA -> {
                        if (!requireStarted(kafka, component).isChildProcess()) {
                            throw new IllegalStateException("Kafka runs inside this JVM; start it with "
                                    + "Config.withKafkaChildProcess(true) to be able to kill it");
                        }
                        kafka.kill();
                    }
                    default -> serviceProcess(component.service(), instance).kill();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not kill " + component, e);
        }
        progress.accept("killed " + component.name().toLowerCase(Locale.ROOT)
                + (instance == 0 ? "" : " instance " + (instance + 1)) + " (SIGKILL)");
    }

    /**
     * Starts a {@link #kill killed} component again on the same data, port and environment, and
     * returns once it is up: PostgreSQL accepting connections (after crash recovery), Kafka serving
     * with its broker registered, a service reporting UP.
     */
    public void restart(Component component) {
        restart(component, 0);
    }

    /** Like {@link #restart(Component)}, for one instance of a backend service (0 is the first). */
    public void restart(Component component, int instance) {
        long began = System.nanoTime();
        ServiceProcess process = null;
        try {
            synchronized (lifecycle) {
                ensureOpen();
                switch (component) {
                    case POSTGRES -> requireStarted(postgres, component).restart();
                    case KAFKA -> requireStarted(kafka, component).start();
                    default -> {
                        process = serviceProcess(component.service(), instance);
                        process.restart();
                    }
                }
            }
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("could not restart " + component + ": " + e.getMessage(), e);
        }
        // Outside the lock, as at start: a Ctrl-C must be able to stop everything meanwhile.
        if (process != null) {
            process.awaitHealthy(http, config.serviceStartTimeout());
        }
        progress.accept(component.name().toLowerCase(Locale.ROOT) + " restarted (" + seconds(began) + ")");
    }

    private static <T> T requireStarted(T component, Component name) {
        if (component == null) {
            throw new IllegalStateException(name + " was not started");
        }
        return component;
    }

    /**
     * The operating system's process id of one instance of a service (0 is the first): tests match it
     * against what the instance wrote down as its own, such as the owner of a lease.
     */
    public long pid(Component component, int instance) {
        if (component.service() == null) {
            throw new IllegalArgumentException(component + " is not one of the services");
        }
        synchronized (lifecycle) {
            return serviceProcess(component.service(), instance).pid();
        }
    }

    /** One instance's own base URL (0 is the first), for reading its actuator. */
    public String serviceUrl(Component component, int instance) {
        if (component.service() == null) {
            throw new IllegalArgumentException(component + " is not one of the services");
        }
        return ServiceEnvironment.localUrl(ports.of(component.service(), instance));
    }

    /** How many instances of each backend service run. */
    public int instances() {
        return config.instances();
    }

    private ServiceProcess serviceProcess(Service service, int instance) {
        return services.stream().filter(p -> p.service() == service && p.instance() == instance).findFirst()
                .orElseThrow(() -> new IllegalStateException(ServiceProcess.name(service, instance) + " was not started"));
    }

    /** True once {@link #close} has begun, for instance from Ctrl-C. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops the services (gateway first; SIGTERM, then SIGKILL after 20 s), then Kafka, then
     * PostgreSQL. Safe to call more than once and from any thread.
     */
    @Override
    public void close() {
        List<ServiceProcess> running;
        LocalKafka k;
        LocalPostgres pg;
        synchronized (lifecycle) {
            if (closed.getAndSet(true)) {
                return;
            }
            running = new ArrayList<>(services);
            k = kafka;
            pg = postgres;
        }
        removeShutdownHook();
        if (running.isEmpty() && k == null && pg == null) {
            stopWatchdog();
            unlockDataDir();
            return;
        }
        if (!running.isEmpty()) {
            progress.accept("stopping services…");
        }
        Instant deadline = Instant.now().plusSeconds(20);
        running.stream().filter(p -> p.service() == Service.GATEWAY).forEach(p -> {
            p.terminate();
            p.awaitExit(deadline);
        });
        running.forEach(ServiceProcess::terminate);
        running.forEach(p -> p.awaitExit(deadline));
        if (k != null) {
            progress.accept("stopping kafka…");
            try {
                k.close();
            } catch (RuntimeException e) {
                progress.accept("kafka did not stop cleanly: " + e.getMessage());
            }
        }
        if (pg != null) {
            progress.accept("stopping postgres…");
            try {
                pg.close();
            } catch (IOException | RuntimeException e) {
                progress.accept("postgres did not stop cleanly: " + e.getMessage());
            }
        }
        stopWatchdog();
        forgetRunningStack();
        unlockDataDir();
        progress.accept("stopped");
    }

    /** The merchant API's base URL, for example {@code http://localhost:8080}. */
    public String gatewayUrl() {
        return ServiceEnvironment.localUrl(ports.gateway());
    }

    /**
     * The gateway's actuator with its metrics, on a loopback management port: not part of the
     * public surface (SPEC §7).
     */
    public String gatewayManagementUrl() {
        return ServiceEnvironment.localUrl(ports.gatewayManagement());
    }

    /** The first instance's base URL; {@link #instances} tells whether there are more. */
    public String commandUrl() {
        return ServiceEnvironment.localUrl(ports.of(Service.COMMAND, 0));
    }

    public String queryUrl() {
        return ServiceEnvironment.localUrl(ports.of(Service.QUERY, 0));
    }

    public String webhookUrl() {
        return ServiceEnvironment.localUrl(ports.of(Service.WEBHOOK, 0));
    }

    /** {@code jdbc:postgresql://localhost:<port>/ledger}; user and password are both {@code postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + ports.postgres() + "/" + LocalPostgres.DATABASE;
    }

    public String jdbcUser() {
        return LocalPostgres.USER;
    }

    public String jdbcPassword() {
        return LocalPostgres.PASSWORD;
    }

    /** {@code localhost:<port>}. */
    public String kafkaBootstrapServers() {
        return "localhost:" + ports.kafka();
    }

    public int postgresPort() {
        return ports.postgres();
    }

    public int kafkaPort() {
        return ports.kafka();
    }

    public int gatewayPort() {
        return ports.gateway();
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /** Where {@code <service>.log} and {@code postgres.log} are written. */
    public Path logDir() {
        return config.dataDir().resolve("logs");
    }

    /** The configured token, else the one remembered in local.properties, else a new remembered one. */
    public String adminToken() {
        String token = adminToken;
        if (token == null) {
            synchronized (this) {
                if (adminToken == null) {
                    adminToken = properties().adminToken(config.adminToken());
                }
                token = adminToken;
            }
        }
        return token;
    }

    /**
     * The admin token for clients of the stack on {@code config}'s data folder, such as
     * {@code ./ledger replay}: {@code LEDGER_ADMIN_TOKEN} if set; else the token the running stack
     * uses (it may have been started with a {@code LEDGER_ADMIN_TOKEN} this shell lacks); else the
     * one {@link #adminToken} remembered. Empty when no stack ever ran there.
     */
    public static Optional<String> clientAdminToken(Config config) throws IOException {
        if (config.adminToken() != null) {
            return Optional.of(config.adminToken());
        }
        if (Files.isDirectory(config.dataDir())) {
            // A stack runs there exactly while it holds the lock; a killed one's file is stale.
            DataDirLock free = DataDirLock.tryAcquire(config.dataDir());
            if (free == null) {
                Optional<String> running = LocalProperties.load(runningStackFile(config.dataDir())).get(LocalProperties.ADMIN_TOKEN);
                if (running.isPresent()) {
                    return running;
                }
            } else {
                free.close();
            }
        }
        return LocalProperties.load(config.dataDir().resolve("local.properties")).get(LocalProperties.ADMIN_TOKEN);
    }

    /** The demo store once {@link #start} returned, else null. */
    public Demo demo() {
        return demo;
    }

    /** What {@code ./ledger up} prints once everything is up; it shows the demo key in full. */
    public String banner() {
        Demo d = demo;
        String key = d == null ? "(none)" : d.apiKey();
        String rule = "─".repeat(72);
        return String.join("\n",
                rule,
                "  Invoice ledger is up",
                "",
                "  base URL      " + gatewayUrl() + (config.instances() == 1 ? ""
                        : "   (" + config.instances() + " instances of each service behind it)"),
                "  store id      " + (d == null ? "(none)" : d.storeId()),
                "  demo API key  " + key + "   (test mode, all scopes)",
                "  admin token   " + adminToken(),
                "  metrics       " + gatewayManagementUrl() + "/actuator/prometheus   (loopback only)",
                "  data, logs    " + config.dataDir() + "/",
                "",
                "  curl -s " + gatewayUrl() + "/v1/invoices -H 'Authorization: Bearer " + key
                        + "' -H 'Content-Type: application/json' -d '{\"amount\":\"100.00\",\"currency\":\"USD\"}'",
                "",
                "  Ctrl-C to stop",
                rule);
    }

    private Path runDir() {
        return config.dataDir().resolve("run");
    }

    /**
     * What clients of the running stack need to know, kept as long as it runs: {@code ./ledger replay}
     * in another shell, without the LEDGER_ADMIN_TOKEN this stack was started with, finds it here.
     */
    static void recordClientAdminToken(Path dataDir, String token) {
        LocalProperties.load(runningStackFile(dataDir)).put(LocalProperties.ADMIN_TOKEN, token).save();
    }

    private static Path runningStackFile(Path dataDir) {
        return dataDir.resolve("run").resolve("stack.properties");
    }

    private void forgetRunningStack() {
        try {
            Files.deleteIfExists(runningStackFile(config.dataDir()));
        } catch (IOException e) {
            progress.accept("could not delete " + runningStackFile(config.dataDir()) + ": " + e.getMessage());
        }
    }

    private LocalProperties properties() {
        return LocalProperties.load(config.dataDir().resolve("local.properties"));
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the local ledger was stopped");
        }
    }

    private static void requireFree(Map<String, Integer> ports) {
        List<String> busy = ports.entrySet().stream()
                .filter(entry -> !Ports.isFree(entry.getValue()))
                .map(entry -> ":" + entry.getValue() + " " + entry.getKey())
                .toList();
        if (!busy.isEmpty()) {
            throw new IllegalStateException("ports already in use: " + String.join(", ", busy)
                    + " (another ./ledger up? set the variable in brackets to move it)");
        }
    }

    private void lockDataDir() throws IOException {
        if (dataDirLock != null) {
            return;
        }
        dataDirLock = DataDirLock.tryAcquire(config.dataDir());
        if (dataDirLock == null) {
            throw new IllegalStateException("another local ledger is running on " + config.dataDir());
        }
    }

    private void unlockDataDir() {
        DataDirLock lock = dataDirLock;
        dataDirLock = null;
        if (lock != null) {
            lock.close();
        }
    }

    private void stopWatchdog() {
        Watchdog w;
        synchronized (lifecycle) {
            w = watchdog;
            watchdog = null;
        }
        if (w != null) {
            w.close();
        }
    }

    private void installShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "local-ledger-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook is what called us or will find us closed.
            }
        }
    }

    private static String seconds(long startedNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startedNanos) / 1e9);
    }
}
