package ledger.query.report;

import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import ledger.events.Money;
import ledger.query.web.Instants;
import ledger.support.auth.ApiPrincipal;
import ledger.support.auth.RequiresScope;
import ledger.support.auth.Scopes;
import ledger.support.web.ApiException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/reports/balances} and {@code /v1/reports/aging} ({@code reports:read}); {@code as_of} defaults to now. */
@RestController
class ReportController {

    private final Reports reports;
    private final Clock clock;

    ReportController(Reports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    record BalanceReport(String object, Instant asOf, String currency, List<Reports.Balance> data) {
    }

    record AgingReport(String object, Instant asOf, String currency, List<Reports.Aging> data) {
    }

    @GetMapping("/v1/reports/balances")
    @RequiresScope(Scopes.REPORTS_READ)
    BalanceReport balances(@RequestParam(name = "as_of", required = false) String asOf,
                           @RequestParam(required = false) String currency, ApiPrincipal principal) {
        Instant instant = asOf(asOf);
        Currency only = currency(currency);
        return new BalanceReport("balance_report", instant, only == null ? null : only.getCurrencyCode(),
                reports.balances(principal, instant, only));
    }

    @GetMapping("/v1/reports/aging")
    @RequiresScope(Scopes.REPORTS_READ)
    AgingReport aging(@RequestParam(name = "as_of", required = false) String asOf,
                      @RequestParam(required = false) String currency, ApiPrincipal principal) {
        Instant instant = asOf(asOf);
        Currency only = currency(currency);
        return new AgingReport("aging_report", instant, only == null ? null : only.getCurrencyCode(),
                reports.aging(principal, instant, only));
    }

    private Instant asOf(String value) {
        Instant instant = Instants.asOf("as_of", value, clock);
        return instant == null ? clock.instant() : instant;
    }

    private static Currency currency(String code) {
        if (code == null || code.isBlank()) {
            return null;
        }
        try {
            Currency currency = Currency.getInstance(code.trim().toUpperCase(Locale.ROOT));
            Money.scaleOf(currency);
            return currency;
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("currency", "currency must be an ISO 4217 code such as USD");
        }
    }
}
