package shop.reconciler.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.servlet.HandlerInterceptor;
import shop.reconciler.operations.OperatorReads;

/**
 * The console's share of the connection pool: at most {@link #CONNECTIONS} pages read the database
 * at a time, and the pool is larger by that much ({@link OperatorReads}), so a run's partitions never
 * wait for a connection because of viewers. A page that finds the budget taken waits up to
 * {@link #WAIT}, then is answered 503 with {@code Retry-After}, without touching the database. The
 * sign-in page and the assets read nothing and are never held back.
 */
public final class ConsoleReadBudget implements HandlerInterceptor {

    /** Pages that may read the database at once; the pool has as many connections more for them. */
    static final int CONNECTIONS = OperatorReads.CONNECTIONS;

    static final Duration WAIT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ConsoleReadBudget.class);
    private static final String HELD = ConsoleReadBudget.class.getName() + ".held";

    private final Semaphore permits = new Semaphore(CONNECTIONS, true);

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException, InterruptedException {
        String path = request.getRequestURI();
        if (path.contains("/console/assets/") || path.endsWith("/console/login")) {
            return true;
        }
        if (!permits.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            log.info("console page {} refused: {} pages are reading already", request.getRequestURI(), CONNECTIONS);
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setHeader("Retry-After", "5");
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().write("The console is busy: other pages are being read. Try again in a few seconds.");
            return false;
        }
        request.setAttribute(HELD, Boolean.TRUE);
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception e) {
        if (request.getAttribute(HELD) != null) {
            request.removeAttribute(HELD);
            permits.release();
        }
    }
}
