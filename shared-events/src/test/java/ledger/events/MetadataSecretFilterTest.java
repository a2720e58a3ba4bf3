package ledger.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which metadata entries a view shows (SPEC §4.2): whole words of the key, and credential-looking values. */
class MetadataSecretFilterTest {

    @ParameterizedTest(name = "{0} = {1} → {2}")
    @CsvSource(nullValues = "NULL", textBlock = """
            # key,              value,                         shown
            order_id,           1001,                          true
            discard,            yes,                           true
            cardinal,           north,                         true
            tokenizer,          bpe,                           true
            author,             Ann,                           true
            spinner,            red,                           true
            sort_key,           a,                             true
            keyboard,           qwerty,                        true
            passenger,          2,                             true
            company,            Acme,                          true
            note,               pay by sk_live,                true
            channel,            skate shop,                    true
            password,           x,                             false
            Password,           x,                             false
            db_passwd,          x,                             false
            pwd,                x,                             false
            pan,                x,                             false
            card_number,        x,                             false
            cardNumber,         x,                             false
            stripe_sk,          x,                             false
            stripeSK,           x,                             false
            client-secret,      x,                             false
            customer_token,     x,                             false
            accessToken,        x,                             false
            api_key,            x,                             false
            apiKey,             x,                             false
            APIKey,             x,                             false
            apikey,             x,                             false
            private.key,        x,                             false
            secret_key,         x,                             false
            access-key,         x,                             false
            cvv,                x,                             false
            cvc,                x,                             false
            pin,                x,                             false
            ssn,                x,                             false
            iban,               x,                             false
            auth,               x,                             false
            credentials,        x,                             false
            reference,          sk_live_51HqLyjWDarjtT1zdp7dc, false
            reference,          sk_test_51HqLyjWDarjtT1zdp7dc, false
            reference,          rk_live_51HqLyjWDarjtT1zdp7dc, false
            hook,               whsec_MfKQ9r8GKYqrTwjUPD8ILPZI, false
            header,             Bearer eyJhbGciOiJIUzI1NiJ9,   false
            header,             bearer abc.def,                false
            nothing,            NULL,                          true
            """)
    void showsOnlyEntriesThatDoNotLookSecret(String key, String value, boolean shown) {
        var metadata = new HashMap<String, String>();
        metadata.put(key, value);
        metadata.put("kept", "always");
        Map<String, String> visible = InvoiceView.visibleMetadata(metadata);
        assertThat(visible.containsKey(key)).isEqualTo(shown);
        assertThat(visible).containsEntry("kept", "always");
    }
}
