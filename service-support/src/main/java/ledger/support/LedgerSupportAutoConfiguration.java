package ledger.support;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import ledger.events.LedgerJson;
import ledger.support.auth.AccessRegistry;
import ledger.support.auth.Authentication;
import ledger.support.auth.ScopeCheck;
import ledger.support.idempotency.Idempotency;
import ledger.support.idempotency.IdempotencyPurge;
import ledger.support.ratelimit.RateLimits;
import ledger.support.web.ApiExceptionHandler;
import ledger.support.web.BodySizeLimit;
import ledger.support.web.CheckoutHeaders;
import ledger.support.web.QueryParameterText;
import ledger.support.web.ErrorResponses;
import ledger.support.web.LedgerErrorController;
import ledger.support.web.RequestIds;
import ledger.support.web.UnknownQueryParameters;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Wires the shared web conventions and authentication into every service that depends on this module. */
@AutoConfiguration(before = org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration.class)
@EnableConfigurationProperties(LedgerProperties.class)
@Import(ApiExceptionHandler.class)
@EnableScheduling // IdempotencyPurge
public class LedgerSupportAutoConfiguration implements WebMvcConfigurer {

    static final int MAX_BODY_BYTES = 64 * 1024;

    /**
     * The HTTP dialect: the ledger's JSON plus strictness for requests — unknown fields, numbers where
     * strings belong (amounts!) and floats where integers belong are refused instead of coerced, and
     * text and time fields are read only in their one documented form ({@link StrictInput}).
     */
    @Bean
    Jackson2ObjectMapperBuilderCustomizer ledgerJsonDialect() {
        return builder -> builder
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .featuresToEnable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN,
                        DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS,
                        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                        // {"amount":"1.00","amount":"2.00"} is ambiguous: refuse it rather than pick one.
                        JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .featuresToDisable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS,
                        DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE,
                        DeserializationFeature.ACCEPT_FLOAT_AS_INT,
                        MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .postConfigurer(mapper -> {
                    mapper.registerModule(new StrictInput());
                    // A JSON number for a string field (e.g. "amount": 99.0) is refused, not turned into "99.0".
                    var textual = mapper.coercionConfigFor(LogicalType.Textual);
                    textual.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
                    textual.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
                    textual.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
                });
    }

    @Bean
    ErrorResponses errorResponses(ObjectMapper json) {
        return new ErrorResponses(json);
    }

    @Bean
    LedgerErrorController ledgerErrorController(ErrorResponses errors) {
        return new LedgerErrorController(errors);
    }

    /*
     * The order of the shared filters, in one place: the request id first (every answer carries it), then
     * the checkout page's headers (even a refusal of a later filter carries them), the cheap refusals of
     * malformed requests, authentication, rate limits (per key, so after it), idempotency last (keys are
     * per store, and a replay still counts against the limit).
     */
    private static final int REQUEST_IDS = Ordered.HIGHEST_PRECEDENCE;
    private static final int CHECKOUT_HEADERS = REQUEST_IDS + 1;
    private static final int BODY_SIZE_LIMIT = CHECKOUT_HEADERS + 1;
    private static final int QUERY_PARAMETER_TEXT = BODY_SIZE_LIMIT + 1;
    private static final int AUTHENTICATION = QUERY_PARAMETER_TEXT + 1;
    private static final int RATE_LIMITS = AUTHENTICATION + 1;
    private static final int IDEMPOTENCY = RATE_LIMITS + 1;

    @Bean
    FilterRegistrationBean<RequestIds> requestIds() {
        var registration = new FilterRegistrationBean<>(new RequestIds());
        registration.setOrder(REQUEST_IDS);
        return registration;
    }

    @Bean
    FilterRegistrationBean<CheckoutHeaders> checkoutHeaders() {
        var registration = new FilterRegistrationBean<>(new CheckoutHeaders());
        registration.setOrder(CHECKOUT_HEADERS);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodySizeLimit> bodySizeLimit(ErrorResponses errors) {
        var registration = new FilterRegistrationBean<>(new BodySizeLimit(MAX_BODY_BYTES, errors));
        registration.setOrder(BODY_SIZE_LIMIT);
        return registration;
    }

    @Bean
    FilterRegistrationBean<QueryParameterText> queryParameterText(ErrorResponses errors) {
        var registration = new FilterRegistrationBean<>(new QueryParameterText(errors));
        registration.setOrder(QUERY_PARAMETER_TEXT);
        return registration;
    }

    @Bean
    FilterRegistrationBean<Authentication> authentication(AccessRegistry registry, LedgerProperties properties,
                                                          ErrorResponses errors) {
        var registration = new FilterRegistrationBean<>(
                new Authentication(registry, properties.adminToken(), errors));
        registration.setOrder(AUTHENTICATION);
        return registration;
    }

    @Bean
    FilterRegistrationBean<RateLimits> rateLimits(ErrorResponses errors, JdbcTemplate jdbc, ObjectProvider<Clock> clock,
            @Value("${ledger.rate-limits.write-per-second:${LEDGER_RATE_LIMIT_WRITE_PER_SECOND:100}}") long writeRate,
            @Value("${ledger.rate-limits.write-burst:${LEDGER_RATE_LIMIT_WRITE_BURST:200}}") long writeBurst,
            @Value("${ledger.rate-limits.read-per-second:${LEDGER_RATE_LIMIT_READ_PER_SECOND:300}}") long readRate,
            @Value("${ledger.rate-limits.read-burst:${LEDGER_RATE_LIMIT_READ_BURST:600}}") long readBurst) {
        var registration = new FilterRegistrationBean<>(new RateLimits(new RateLimits.Limit(writeRate, writeBurst),
                new RateLimits.Limit(readRate, readBurst), jdbc, clock.getIfAvailable(Clock::systemUTC), errors));
        registration.setOrder(RATE_LIMITS);
        return registration;
    }

    @Bean
    FilterRegistrationBean<Idempotency> idempotency(JdbcTemplate jdbc, PlatformTransactionManager transactions,
                                                    ErrorResponses errors) {
        var registration = new FilterRegistrationBean<>(Idempotency.create(jdbc, transactions, errors));
        registration.setOrder(IDEMPOTENCY);
        return registration;
    }

    @Bean
    IdempotencyPurge idempotencyPurge(FilterRegistrationBean<Idempotency> idempotency) {
        return new IdempotencyPurge(idempotency.getFilter());
    }

    /**
     * Every service keeps Idempotency-Key records and rate-limit buckets in its own schema; their migrations ship
     * with this module, numbered from V1000 in the service's history. So a service's own next migration (its V5,
     * say) comes after V1002 has been applied to every existing database: out of order, which Flyway refuses
     * unless told. The two series touch different tables, so their interleaving is harmless.
     */
    @Bean
    FlywayConfigurationCustomizer supportMigrations() {
        return configuration -> {
            var locations = new java.util.ArrayList<>(java.util.Arrays.asList(configuration.getLocations()));
            locations.add(new org.flywaydb.core.api.Location("classpath:db/support"));
            configuration.locations(locations.toArray(org.flywaydb.core.api.Location[]::new)).outOfOrder(true);
        };
    }

    @Bean
    @ConditionalOnMissingBean
    AccessRegistry accessRegistry(@Value("${spring.kafka.bootstrap-servers}") String bootstrapServers,
                                  LedgerProperties properties) {
        return new AccessRegistry(bootstrapServers, properties.topics().access(), LedgerJson.mapper());
    }

    /** Every service declares the topics it touches; creating an existing topic is a no-op. */
    @Bean
    NewTopic invoiceEventsTopic(LedgerProperties properties) {
        var topics = properties.topics();
        return TopicBuilder.name(topics.invoiceEvents()).partitions(topics.partitions()).replicas(topics.replicas())
                .config(TopicConfig.RETENTION_MS_CONFIG, "-1").build();
    }

    @Bean
    NewTopic accessTopic(LedgerProperties properties) {
        var topics = properties.topics();
        return TopicBuilder.name(topics.access()).partitions(1).replicas(topics.replicas())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)).build();
    }

    /**
     * Spring Kafka's default gives up on a record after ten attempts and skips it — a lost event for
     * a projection or the webhook inbox. Here a failing record is retried, backing off up to 10 s,
     * until it succeeds (the database came back); only a record that can never be parsed is logged
     * and skipped.
     */
    @Bean
    @ConditionalOnMissingBean
    DefaultErrorHandler kafkaErrorHandler() {
        var backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(10_000);
        var handler = new DefaultErrorHandler(backOff);
        handler.addNotRetryableExceptions(JsonProcessingException.class);
        return handler;
    }

    private final ScopeCheck scopeCheck = new ScopeCheck();

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(scopeCheck);
        registry.addInterceptor(new UnknownQueryParameters());
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(scopeCheck);
    }
}
