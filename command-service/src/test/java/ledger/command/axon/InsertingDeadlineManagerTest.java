package ledger.command.axon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.deadline.DefaultDeadlineManagerSpanFactory;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.modelling.command.AggregateScopeDescriptor;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.tracing.NoOpSpanFactory;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class InsertingDeadlineManagerTest {

    static final Instant AT = Instant.parse("2026-12-05T12:00:00Z");
    static final AggregateScopeDescriptor SCOPE = new AggregateScopeDescriptor("Invoice", "inv_1");

    final JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
    final Configuration configuration = mock(Configuration.class);
    final DefaultDeadlineManagerSpanFactory spans = DefaultDeadlineManagerSpanFactory.builder()
            .spanFactory(NoOpSpanFactory.INSTANCE).build();

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void schedulesTheRowAxonWouldWithOneInsertAndNoLookup() {
        var scheduler = mock(Scheduler.class);
        var task = DbSchedulerDeadlineManager.binaryTask(() -> null);
        var ours = new InsertingDeadlineManager.Config().deadlineManager(scheduler, task, configuration, serializer,
                NoTransactionManager.INSTANCE, spans);

        String id = ours.schedule(AT, "invoice-expiry", "due", SCOPE);

        ArgumentCaptor<List<TaskInstance<?>>> batch = ArgumentCaptor.forClass(List.class);
        verify(scheduler).scheduleBatch(batch.capture(), eq(AT));
        verifyNoMoreInteractions(scheduler); // no scheduleIfNotExists: its SELECT cannot find a fresh id
        TaskInstance<?> written = batch.getValue().get(0);
        assertThat(written.getTaskName()).isEqualTo(task.getName());
        assertThat(written.getId()).isEqualTo(id);

        var axonsScheduler = mock(Scheduler.class);
        DbSchedulerDeadlineManager.builder().scheduler(axonsScheduler)
                .scopeAwareProvider(new ConfigurationScopeAwareProvider(configuration)).serializer(serializer)
                .spanFactory(spans).startScheduler(false).stopScheduler(false).build()
                .schedule(AT, "invoice-expiry", "due", SCOPE);
        ArgumentCaptor<TaskInstance> axons = ArgumentCaptor.forClass(TaskInstance.class);
        verify(axonsScheduler).schedule(axons.capture(), eq(AT));
        assertThat(written.getTaskName()).isEqualTo(axons.getValue().getTaskName());
        assertThat(written.getData()).usingRecursiveComparison().isEqualTo(axons.getValue().getData());
    }

    @Test
    void aFailedDeadlineIsRetriedAfterOneSecondDoublingUpToAMinuteAndNeverGivenUp() {
        assertThat(IntStream.of(0, 1, 2, 5, 6, 7, 1_000).mapToObj(InsertingDeadlineManager.Config::retryAfter))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                        Duration.ofSeconds(32), Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1));
    }
}
