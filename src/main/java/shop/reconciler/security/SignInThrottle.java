package shop.reconciler.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.web.filter.OncePerRequestFilter;
import shop.reconciler.text.Printable;

/**
 * Failed sign-ins on {@code serve}'s HTTP port (the console's form and HTTP Basic): each is logged
 * once, with the account name as given (escaped, cut at {@value #NAME_SHOWN} characters) and the
 * client's address, never the password. After {@code maxFailures} failures for one account, or
 * from one client address, within a minute, every sign-in for that account or from that address is
 * answered 429 with {@code Retry-After} until {@code lockout} has passed since the last failure,
 * whatever the password. A success clears the counts of its account and its address.
 *
 * <p>Spring Security publishes the outcomes ({@link AbstractAuthenticationFailureEvent}); the
 * {@link #filter()}, placed before the authentication filters, refuses before a password is checked. At most
 * {@value #TRACKED} names and addresses are remembered, the least recently failed forgotten first.
 */
public final class SignInThrottle {

    private static final Logger log = LoggerFactory.getLogger(SignInThrottle.class);

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int NAME_SHOWN = 64;
    static final int TRACKED = 10_000;

    private final int maxFailures;
    private final Duration lockout;
    private final LongSupplier nanoTime;
    /** "account:NAME" or "client:ADDRESS" to the times of its recent failures, oldest first. */
    private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > TRACKED;
        }
    };

    public SignInThrottle(int maxFailures, Duration lockout) {
        this(maxFailures, lockout, System::nanoTime);
    }

    SignInThrottle(int maxFailures, Duration lockout, LongSupplier nanoTime) {
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.nanoTime = nanoTime;
    }

    /**
     * The filter for a security chain, before its authentication filter (not a bean: Boot would
     * register a bean filter for every request of the server).
     */
    public OncePerRequestFilter filter() {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                refuseOrContinue(request, response, chain);
            }
        };
    }

    private void refuseOrContinue(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> account = account(request);
        if (account.isPresent()) {
            Optional<Duration> wait = refusal(account.get(), request.getRemoteAddr());
            if (wait.isPresent()) {
                long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
                response.setStatus(429);
                response.setHeader("Retry-After", String.valueOf(seconds));
                response.setContentType("text/plain;charset=UTF-8");
                response.getOutputStream()
                        .write(("Too many failed sign-ins for this account or from this address: try again in "
                                        + seconds + " s.\n")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The account a request signs in with: HTTP Basic's user, or the console's login form's. */
    static Optional<String> account(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(
                        Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
        }
        if ("POST".equals(request.getMethod()) && request.getRequestURI().endsWith("/login")) {
            return Optional.ofNullable(request.getParameter("username"));
        }
        return Optional.empty();
    }

    /** How long sign-ins of this account or from this client are still refused, if they are. */
    synchronized Optional<Duration> refusal(String account, String client) {
        long now = nanoTime.getAsLong();
        long waitNanos = Math.max(lockedFor("account:" + account, now), lockedFor("client:" + client, now));
        return waitNanos > 0 ? Optional.of(Duration.ofNanos(waitNanos)) : Optional.empty();
    }

    private long lockedFor(String key, long now) {
        Deque<Long> times = failures.get(key);
        if (times == null || times.size() < maxFailures) {
            return 0;
        }
        return Math.max(0, times.peekLast() + lockout.toNanos() - now);
    }

    /** One failed sign-in: logged, counted for its account and its client. */
    void failed(String account, String client) {
        int forAccount;
        int forClient;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            forAccount = count("account:" + account, now);
            forClient = count("client:" + client, now);
        }
        String shown = shown(account);
        log.warn("sign-in failed: account \"{}\" from {}", shown, client);
        if (forAccount == maxFailures) {
            log.warn(
                    "sign-in refused for {} s: {} failures for account \"{}\" within {} s",
                    lockout.toSeconds(),
                    maxFailures,
                    shown,
                    WINDOW.toSeconds());
        }
        if (forClient == maxFailures) {
            log.warn(
                    "sign-in refused for {} s: {} failures from {} within {} s",
                    lockout.toSeconds(),
                    maxFailures,
                    client,
                    WINDOW.toSeconds());
        }
    }

    synchronized void succeeded(String account, String client) {
        failures.remove("account:" + account);
        failures.remove("client:" + client);
    }

    /** Records a failure now; the failures within the window, this one included. */
    private int count(String key, long now) {
        Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!times.isEmpty() && now - times.peekFirst() > WINDOW.toNanos()) {
            times.pollFirst();
        }
        times.addLast(now);
        while (times.size() > maxFailures) {
            times.pollFirst();
        }
        return times.size();
    }

    static String shown(String account) {
        String cut = account.length() > NAME_SHOWN ? account.substring(0, NAME_SHOWN) + "…" : account;
        return Printable.of(cut).replace("\"", "\\\"");
    }

    @EventListener
    public void onFailure(AbstractAuthenticationFailureEvent event) {
        failed(
                String.valueOf(event.getAuthentication().getName()),
                client(event.getAuthentication().getDetails()));
    }

    @EventListener
    public void onSuccess(AuthenticationSuccessEvent event) {
        succeeded(
                event.getAuthentication().getName(),
                client(event.getAuthentication().getDetails()));
    }

    private static String client(Object details) {
        return details instanceof WebAuthenticationDetails web && web.getRemoteAddress() != null
                ? web.getRemoteAddress()
                : "an unknown address";
    }
}
