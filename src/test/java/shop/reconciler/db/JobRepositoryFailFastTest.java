package shop.reconciler.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class JobRepositoryFailFastTest {

    private final List<String> attempted = new ArrayList<>();
    private boolean databaseAway = true;

    /** A job repository whose writes all fail like Hikari's time-out while the database is away. */
    private final JobRepository repository = (JobRepository) new JobRepositoryFailFast()
            .postProcessAfterInitialization(
                    Proxy.newProxyInstance(
                            getClass().getClassLoader(),
                            new Class<?>[] {JobRepository.class},
                            (proxy, method, args) -> {
                                attempted.add(method.getName());
                                if (databaseAway) {
                                    throw new CannotGetJdbcConnectionException(
                                            "Failed to obtain JDBC Connection",
                                            new SQLTransientConnectionException(
                                                    "HikariPool-1 - Connection is not available, request timed out"));
                                }
                                return method.getName().equals("createJobExecution") ? execution(9) : null;
                            }),
                    "jobRepository");

    @Test
    void afterOneWriteOfAnExecutionCouldNotReachTheDatabaseItsLaterWritesFailWithoutAsking() {
        JobExecution job = execution(7);
        StepExecution step = new StepExecution(70, "reconcile", job);

        // when
        assertThatThrownBy(() -> repository.update(step)).isInstanceOf(CannotGetJdbcConnectionException.class);
        Throwable later = org.assertj.core.api.Assertions.catchThrowable(() -> repository.updateExecutionContext(step));
        Throwable jobs = org.assertj.core.api.Assertions.catchThrowable(() -> repository.update(job));

        // then: only the first write asked the database; the others name it
        assertThat(attempted).containsExactly("update");
        assertThat(later)
                .isInstanceOf(DataAccessResourceFailureException.class)
                .hasMessageContaining("updateExecutionContext of execution 7 not attempted")
                .hasMessageContaining("Failed to obtain JDBC Connection");
        assertThat(jobs).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(DatabaseErrors.isUnreachable(later)).isTrue();
    }

    @Test
    void otherExecutionsAndReadsStillAskAndANewExecutionClearsTheMarks() {
        JobExecution failed = execution(7);
        assertThatThrownBy(() -> repository.update(failed)).isInstanceOf(CannotGetJdbcConnectionException.class);

        // when: reads, another execution's write
        assertThatThrownBy(() -> repository.getJobExecution(7)).isInstanceOf(CannotGetJdbcConnectionException.class);
        assertThatThrownBy(() -> repository.update(execution(8))).isInstanceOf(CannotGetJdbcConnectionException.class);

        // then
        assertThat(attempted).containsExactly("update", "getJobExecution", "update");

        // when: the database answers again and a new execution is created
        databaseAway = false;
        repository.createJobExecution(new JobInstance(1, "orderCompletionJob"), new JobParameters(), null);
        repository.update(failed);

        // then
        assertThat(attempted).endsWith("createJobExecution", "update");
    }

    @Test
    void aWriteThatFailsForAnotherReasonMarksNothing() {
        JobRepository refusing = (JobRepository) new JobRepositoryFailFast()
                .postProcessAfterInitialization(
                        Proxy.newProxyInstance(
                                getClass().getClassLoader(), new Class<?>[] {JobRepository.class}, (p, m, a) -> {
                                    attempted.add(m.getName());
                                    throw new org.springframework.dao.OptimisticLockingFailureException("version");
                                }),
                        "jobRepository");
        JobExecution job = execution(7);

        assertThatThrownBy(() -> refusing.update(job))
                .isInstanceOf(org.springframework.dao.OptimisticLockingFailureException.class);
        assertThatThrownBy(() -> refusing.update(job))
                .isInstanceOf(org.springframework.dao.OptimisticLockingFailureException.class);

        assertThat(attempted).containsExactly("update", "update");
    }

    private static JobExecution execution(long id) {
        return new JobExecution(id, new JobInstance(1, "orderCompletionJob"), new JobParameters());
    }
}
