/**
 * What the services' tests share: real PostgreSQL and Kafka once per test JVM
 * ({@link ledger.testsupport.LedgerInfrastructure}), a raw JSON HTTP client ({@link ledger.testsupport.ApiClient}),
 * and the OpenAPI contract — the gateway's {@code openapi.json} as operations and JSON Schema 2020-12
 * validators ({@link ledger.testsupport.OpenApiDocument}) and the comparison of a service's real
 * handlers and scopes with the operations routed to it ({@link ledger.testsupport.HandlerContract}).
 */
package ledger.testsupport;
