package ledger.query.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;

/** The unknown-query-parameter check learns the created[…] names from the resolver that reads them. */
class CreatedRangeResolverTest {

    @SuppressWarnings("unused")
    void handler(CreatedRange created, String other) {
    }

    @Test
    void namesTheFourBoundsOfACreatedRangeAndNothingElse() throws Exception {
        var method = getClass().getDeclaredMethod("handler", CreatedRange.class, String.class);
        var resolver = new CreatedRangeResolver();
        assertThat(resolver.queryParameterNames(new MethodParameter(method, 0)))
                .containsExactlyInAnyOrder("created[gte]", "created[gt]", "created[lte]", "created[lt]");
        assertThat(resolver.queryParameterNames(new MethodParameter(method, 1))).isEmpty();
    }
}
