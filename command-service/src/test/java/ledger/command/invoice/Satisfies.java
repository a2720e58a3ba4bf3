package ledger.command.invoice;

import java.util.function.Consumer;
import org.hamcrest.Description;
import org.hamcrest.TypeSafeDiagnosingMatcher;

/** A Hamcrest matcher (what Axon's fixture takes) that runs AssertJ assertions on a value of one type. */
final class Satisfies<T> extends TypeSafeDiagnosingMatcher<Object> {

    private final Class<T> type;
    private final Consumer<T> assertions;

    private Satisfies(Class<T> type, Consumer<T> assertions) {
        this.type = type;
        this.assertions = assertions;
    }

    static <T> Satisfies<T> satisfies(Class<T> type, Consumer<T> assertions) {
        return new Satisfies<>(type, assertions);
    }

    @Override
    protected boolean matchesSafely(Object item, Description mismatch) {
        if (!type.isInstance(item)) {
            mismatch.appendText("was ").appendValue(item);
            return false;
        }
        try {
            assertions.accept(type.cast(item));
            return true;
        } catch (AssertionError e) {
            mismatch.appendText(e.getMessage());
            return false;
        }
    }

    @Override
    public void describeTo(Description description) {
        description.appendText("a " + type.getSimpleName() + " satisfying the assertions");
    }
}
