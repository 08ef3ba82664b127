package shop.reconciler.db;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * Bounds the bookkeeping of a run that meets a hung database: once one of an execution's writes
 * to the job repository could not reach the database ({@link DatabaseErrors#isUnreachable}), its
 * later writes fail at once instead of each waiting for a connection again.
 *
 * <p>Without it, a run whose database falls silent waits the statement time-out, then the pool's
 * connection time-out once per write Spring Batch still attempts (the partitions', the step's,
 * the job's, each with its execution context: about nine), and could outlast its lease. With it
 * the run ends within the statement time-out plus one connection time-out (plus one more for
 * releasing the lease), both bounded by the lease ({@code ReconcilerProperties.Db}). What the failed
 * writes would have recorded is lost either way; the execution is left {@code STARTED} or
 * {@code UNKNOWN} and recovered as after a crash.
 *
 * <ol>
 *   <li>Writes are the repository's {@code create*}, {@code update*} and {@code delete*}; reads
 *       are left alone.
 *   <li>An execution is marked when one of its writes fails because the database could not be
 *       reached; its later writes throw a {@link DataAccessResourceFailureException} naming that
 *       first failure, without asking the pool.
 *   <li>A job execution created afterwards (the database answered again) clears the marks.
 * </ol>
 */
@Component
class JobRepositoryFailFast implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobRepositoryFailFast.class);

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof JobRepository)) {
            return bean;
        }
        ProxyFactory proxy = new ProxyFactory(bean);
        proxy.addAdvice(new GiveUpAfterUnreachable());
        return proxy.getProxy(bean.getClass().getClassLoader());
    }

    /** The interceptor: one per repository, the marks per job execution id. */
    static final class GiveUpAfterUnreachable implements MethodInterceptor {

        private final Map<Long, RuntimeException> unreachable = new ConcurrentHashMap<>();

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            Method method = invocation.getMethod();
            if (!isWrite(method.getName())) {
                return invocation.proceed();
            }
            Long execution = executionOf(invocation.getArguments());
            RuntimeException first = execution == null ? null : unreachable.get(execution);
            if (first != null) {
                throw new DataAccessResourceFailureException(
                        "job repository " + method.getName() + " of execution " + execution
                                + " not attempted: an earlier write could not reach the database ("
                                + first.getMessage() + ")",
                        first);
            }
            try {
                Object result = invocation.proceed();
                if (result instanceof JobExecution && !unreachable.isEmpty()) {
                    unreachable.clear();
                }
                return result;
            } catch (RuntimeException e) {
                if (execution != null
                        && DatabaseErrors.isUnreachable(e)
                        && unreachable.putIfAbsent(execution, e) == null) {
                    log.warn(
                            "execution {}: the job repository could not reach the database; its later writes are"
                                    + " not attempted, so that the run ends within its lease",
                            execution);
                }
                throw e;
            }
        }

        static boolean isWrite(String method) {
            return method.startsWith("create") || method.startsWith("update") || method.startsWith("delete");
        }

        private static Long executionOf(Object[] arguments) {
            for (Object argument : arguments) {
                if (argument instanceof JobExecution job) {
                    return job.getId();
                }
                if (argument instanceof StepExecution step) {
                    return step.getJobExecutionId();
                }
            }
            return null;
        }
    }
}
