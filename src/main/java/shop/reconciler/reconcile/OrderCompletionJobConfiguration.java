package shop.reconciler.reconcile;

import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.FlowExecutionStatus;
import org.springframework.batch.core.job.flow.JobExecutionDecider;
import org.springframework.batch.core.job.parameters.RunIdIncrementer;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import org.springframework.transaction.PlatformTransactionManager;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.TableNames;
import shop.reconciler.outbox.NotificationStore;

/**
 * {@code orderCompletionJob}: step {@code reconcile} completes finished orders and queues their
 * notifications; step {@code send} (see {@code SendStepConfiguration}) sends them.
 *
 * <ol>
 *   <li>{@code reconcile} runs first. Whatever its end, {@code send} runs next: a reconcile step
 *       that failed part way has committed its earlier chunks, and their buyers' emails are not held
 *       back by a later chunk's failure.
 *   <li>The execution then ends {@code FAILED} if either step failed (so {@code run} exits 1 and
 *       {@code restart} continues the reconcile step after its last committed chunk, and sends
 *       again), and {@code COMPLETED} otherwise. A stopped step stops the execution as before.
 * </ol>
 */
@Configuration(proxyBeanMethods = false)
public class OrderCompletionJobConfiguration {

    public static final String JOB_NAME = "orderCompletionJob";
    public static final String STEP_NAME = "reconcile";

    /** The identifying parameter that names an instance: the job's incrementer counts it up. */
    public static final String RUN_ID = "run.id";

    /** The worker step of a partitioned reconcile; its executions are {@code reconcile-partition:0}, ... */
    public static final String PARTITION_STEP_NAME = "reconcile-partition";

    /**
     * Tries of one chunk's write against lock conflicts before the step fails, with a pause that
     * doubles from 200 ms to at most 5 s between them: about half a minute in all, longer than
     * the shop's webhooks hold their locks.
     */
    static final int CHUNK_ATTEMPTS = 10;

    private static ExponentialBackOffPolicy chunkRetryBackOff() {
        ExponentialBackOffPolicy backOff = new ExponentialBackOffPolicy();
        backOff.setInitialInterval(200);
        backOff.setMultiplier(2);
        backOff.setMaxInterval(5_000);
        return backOff;
    }

    @Bean
    Job orderCompletionJob(
            JobRepository jobRepository,
            Step reconcileStep,
            @Qualifier("sendStep") Step sendStep,
            List<JobExecutionListener> listeners) {
        RunIdIncrementer runIds = new RunIdIncrementer();
        runIds.setKey(RUN_ID);
        JobBuilder job = new JobBuilder(JOB_NAME, jobRepository)
                .incrementer(runIds)
                .listener(new JobSummaryListener())
                .listener(new FailedReconcileStaysRestartable(jobRepository));
        listeners.forEach(job::listener);
        // A failed step the flow went past is ABANDONED by then; UNKNOWN is a step whose end could
        // not be recorded (the database gone): nothing is sent after that.
        JobExecutionDecider outcome = (execution, lastStep) -> execution.getStepExecutions().stream()
                        .anyMatch(step -> step.getStatus().isUnsuccessful())
                ? FlowExecutionStatus.FAILED
                : FlowExecutionStatus.COMPLETED;
        return job.start(reconcileStep)
                .on(ExitStatus.UNKNOWN.getExitCode())
                .fail()
                .from(reconcileStep)
                .on("*")
                .to(sendStep)
                .from(sendStep)
                .on("*")
                .to(outcome)
                .from(outcome)
                .on(FlowExecutionStatus.FAILED.getName())
                .fail()
                .from(outcome)
                .on("*")
                .end()
                .end()
                .build();
    }

    @Bean
    Step reconcileStep(
            JobRepository jobRepository,
            PlatformTransactionManager transactionManager,
            ReconcilerProperties properties,
            ProcessingOrderReader processingOrderReader,
            FinishedOrderFilter finishedOrderFilter,
            CompletionWriter completionWriter,
            NamedParameterJdbcTemplate jdbc,
            OrderRules rules,
            WriteFailures writeFailures,
            ObjectProvider<ObservationRegistry> observations) {
        // One chunk step over all processing orders, or the chunk step each id range runs on its
        // own thread (the step-scoped reader, filter and writer are created once per partition).
        ReconcileProgressListener progress = new ReconcileProgressListener();
        StepExecutionListener forgetResolvedFailures = new StepExecutionListener() {
            @Override
            public void beforeStep(StepExecution stepExecution) {
                writeFailures.forgetResolved();
            }
        };
        boolean partitioned = properties.partitions() > 1;
        Step chunks = chunkStep(
                partitioned ? PARTITION_STEP_NAME : STEP_NAME,
                jobRepository,
                transactionManager,
                properties,
                processingOrderReader,
                finishedOrderFilter,
                completionWriter,
                progress,
                partitioned ? null : forgetResolvedFailures);
        if (!partitioned) {
            return chunks;
        }
        // The partitions' step is no bean: Boot's observability post-processor never sees it, so
        // its spring.batch.step meters need the registry here.
        observations.ifAvailable(((AbstractStep) chunks)::setObservationRegistry);
        SimpleAsyncTaskExecutor threads = new SimpleAsyncTaskExecutor("reconcile-");
        threads.setConcurrencyLimit(properties.partitions());
        return new org.springframework.batch.core.step.builder.StepBuilder(STEP_NAME, jobRepository)
                .partitioner(PARTITION_STEP_NAME, new OrderRangePartitioner(jdbc, rules))
                .step(chunks)
                .gridSize(properties.partitions())
                .taskExecutor(threads)
                .aggregator(new PartitionTotals())
                .listener((StepExecutionListener) progress)
                .listener(forgetResolvedFailures)
                .build();
    }

    @SuppressWarnings({"removal", "rawtypes", "unchecked"})
    private static Step chunkStep(
            String name,
            JobRepository jobRepository,
            PlatformTransactionManager transactionManager,
            ReconcilerProperties properties,
            ProcessingOrderReader processingOrderReader,
            FinishedOrderFilter finishedOrderFilter,
            CompletionWriter completionWriter,
            ReconcileProgressListener progress,
            StepExecutionListener onStart) {
        // The classic chunk step (TaskletStep): it saves the reader's position inside each chunk's
        // transaction, which Spring Batch 6.0's new ChunkOrientedStep does not yet do.
        var step = new org.springframework.batch.core.step.builder.StepBuilder(name, jobRepository)
                .<OrderTally, OrderTally>chunk(properties.chunkSize(), transactionManager)
                .reader(processingOrderReader)
                .processor(finishedOrderFilter)
                .writer(completionWriter)
                .listener((StepExecutionListener) progress)
                .listener((ChunkListener) progress);
        if (onStart != null) {
            step.listener(onStart);
        }
        return step
                // A deadlock or lock-wait timeout against the shop's own writes rolls the chunk
                // back; it is written again (the filter's results are kept, not recomputed).
                .faultTolerant()
                .processorNonTransactional()
                .retry(PessimisticLockingFailureException.class)
                .retryLimit(CHUNK_ATTEMPTS)
                .backOffPolicy(chunkRetryBackOff())
                .build();
    }

    @Bean
    @StepScope
    ProcessingOrderReader processingOrderReader(
            NamedParameterJdbcTemplate jdbc, Dialect dialect, OrderRules rules, ReconcilerProperties properties) {
        return new ProcessingOrderReader(jdbc, dialect, rules, properties.chunkSize(), true);
    }

    @Bean
    WriteFailures writeFailures(NamedParameterJdbcTemplate jdbc, OrderRules rules, TableNames tables) {
        return new WriteFailures(jdbc, rules, tables);
    }

    @Bean
    @StepScope
    FinishedOrderFilter finishedOrderFilter(@Value("#{stepExecution}") StepExecution stepExecution, OrderRules rules) {
        return new FinishedOrderFilter(stepExecution, rules.stuckAfter());
    }

    @Bean
    @StepScope
    CompletionWriter completionWriter(
            NamedParameterJdbcTemplate jdbc,
            Dialect dialect,
            OrderRules rules,
            PlatformTransactionManager transactionManager,
            WriteFailures writeFailures,
            ReconcilerProperties properties,
            NotificationStore notificationStore,
            @Value("#{stepExecution}") StepExecution stepExecution) {
        return new CompletionWriter(
                jdbc, dialect, rules, transactionManager, writeFailures, properties, notificationStore, stepExecution);
    }
}
