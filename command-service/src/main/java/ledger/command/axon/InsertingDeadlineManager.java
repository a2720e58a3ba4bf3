package ledger.command.axon;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.Task;
import java.time.Instant;
import java.util.List;
import org.axonframework.common.IdentifierFactory;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.DeadlineManagerSpanFactory;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.deadline.GenericDeadlineMessage;
import org.axonframework.deadline.dbscheduler.DbSchedulerBinaryDeadlineDetails;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.serialization.Serializer;
import org.springframework.context.annotation.Bean;

/**
 * Axon's durable db-scheduler deadline manager, except that a new deadline is one plain INSERT. Axon
 * schedules through db-scheduler's "schedule if not exists", which first SELECTs the task by its id — but
 * that id is a random UUID made a line earlier, so the SELECT can never find anything: a wasted round trip
 * on every create. db-scheduler's batch insert writes the same row without it (a duplicate id would fail
 * the transaction, not be skipped). The row is what Axon itself writes — same task, same binary details —
 * so Axon's task executes it, on whichever instance picks it, exactly as before.
 */
final class InsertingDeadlineManager extends DbSchedulerDeadlineManager {

    private final Scheduler scheduler;
    private final Task<DbSchedulerBinaryDeadlineDetails> task;
    private final Serializer serializer;
    private final DeadlineManagerSpanFactory spans;

    private InsertingDeadlineManager(Builder builder, Scheduler scheduler, Task<DbSchedulerBinaryDeadlineDetails> task,
                                     Serializer serializer, DeadlineManagerSpanFactory spans) {
        super(builder);
        this.scheduler = scheduler;
        this.task = task;
        this.serializer = serializer;
        this.spans = spans;
    }

    @org.springframework.context.annotation.Configuration
    static class Config {

        /** Replaces the bean of Axon's AxonDbSchedulerAutoConfiguration, built with the same parts. */
        @Bean
        DeadlineManager deadlineManager(Scheduler scheduler, Task<DbSchedulerBinaryDeadlineDetails> deadlineTask,
                                        Configuration configuration, Serializer serializer,
                                        TransactionManager transactionManager, DeadlineManagerSpanFactory spans) {
            var builder = DbSchedulerDeadlineManager.builder().scheduler(scheduler)
                    .scopeAwareProvider(new ConfigurationScopeAwareProvider(configuration)).serializer(serializer)
                    .transactionManager(transactionManager).spanFactory(spans)
                    // the db-scheduler starter starts and stops the scheduler
                    .startScheduler(false).stopScheduler(false);
            return new InsertingDeadlineManager(builder, scheduler, deadlineTask, serializer, spans);
        }
    }

    @Override
    public String schedule(Instant triggerDateTime, String deadlineName, Object messageOrPayload,
                           ScopeDescriptor deadlineScope) {
        DeadlineMessage<Object> message = GenericDeadlineMessage.asDeadlineMessage(deadlineName, messageOrPayload,
                triggerDateTime);
        String id = IdentifierFactory.getInstance().generateIdentifier();
        runOnPrepareCommitOrNow(spans.createScheduleSpan(deadlineName, id, message).wrapRunnable(() -> {
            var details = details(deadlineName, deadlineScope, processDispatchInterceptors(message));
            scheduler.scheduleBatch(List.of(task.instance(id, details)), triggerDateTime);
        }));
        return id;
    }

    /** As Axon's own DbSchedulerBinaryDeadlineDetails.serialized (package-private there) builds them. */
    private DbSchedulerBinaryDeadlineDetails details(String deadlineName, ScopeDescriptor scope,
                                                     DeadlineMessage<?> message) {
        var descriptor = serializer.serialize(scope, byte[].class);
        var payload = serializer.serialize(message.getPayload(), byte[].class);
        var metaData = serializer.serialize(message.getMetaData(), byte[].class);
        return new DbSchedulerBinaryDeadlineDetails(deadlineName, descriptor.getData(), descriptor.getType().getName(),
                payload.getData(), payload.getType().getName(), payload.getType().getRevision(), metaData.getData());
    }
}
