package ledger.command.axon;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
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
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationContext;
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

        /** The wait before the first retry of a failed deadline; it doubles per failure up to {@link #LAST_RETRY}. */
        static final Duration FIRST_RETRY = Duration.ofSeconds(1);
        static final Duration LAST_RETRY = Duration.ofMinutes(1);

        /**
         * Axon's deadline task, retried within seconds when it fails. Axon builds it with db-scheduler's default
         * of one retry five minutes later, so an expiry that met a restarting PostgreSQL or a stale pooled
         * connection fired minutes late, not "within seconds of the deadline" (SPEC §4.2). A deadline is never
         * given up: a failure that lasts is retried every {@link #LAST_RETRY}, and db-scheduler logs each one.
         * (db-scheduler's own {@code ExponentialBackoffFailureHandler} has no ceiling: doubling from 1 s, the 20th
         * failure in a row would wait twelve days.)
         * Replaces the bean of Axon's AxonDbSchedulerAutoConfiguration (same qualifier, same task name).
         */
        @Bean
        @Qualifier("deadlineDetailsTask")
        Task<DbSchedulerBinaryDeadlineDetails> deadlineDetailsTask(ApplicationContext context) {
            var axons = DbSchedulerDeadlineManager.binaryTask(() -> context.getBean(DbSchedulerDeadlineManager.class));
            return Tasks.oneTime(axons.getName(), DbSchedulerBinaryDeadlineDetails.class)
                    .onFailure(Config::retrySoon)
                    .execute(axons::execute);
        }

        static <T> void retrySoon(ExecutionComplete failed, ExecutionOperations<T> operations) {
            operations.reschedule(failed, failed.getTimeDone().plus(retryAfter(failed.getExecution().consecutiveFailures)));
        }

        /** 1, 2, 4 … seconds after the 1st, 2nd, 3rd … failure in a row, at most {@link #LAST_RETRY}. */
        static Duration retryAfter(int earlierFailures) {
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(earlierFailures, 16));
            return wait.compareTo(LAST_RETRY) < 0 ? wait : LAST_RETRY;
        }

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
