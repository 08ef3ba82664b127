package shop.reconciler.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import shop.reconciler.config.InvalidConfigurationException;

/**
 * {@code reconciler.management.*}: the two accounts of {@code serve}'s HTTP port. An account
 * without a password does not exist; there is no default password.
 *
 * @param viewer sees health details (and reads the console)
 * @param operator everything the viewer may, and the console's actions
 * @param maxFailedSignIns failed sign-ins for one account, or from one client address, within a
 *     minute after which its sign-ins are refused (HTTP 429) for {@code signInLockout}
 * @param signInLockout how long after its last failure such an account or address is refused
 */
@ConfigurationProperties("reconciler.management")
public record ManagementProperties(
        @DefaultValue Account viewer,
        @DefaultValue Account operator,
        @DefaultValue("5") int maxFailedSignIns,
        @DefaultValue("1m") Duration signInLockout) {

    public ManagementProperties {
        viewer = viewer.withDefaultName("viewer");
        operator = operator.withDefaultName("operator");
        if (maxFailedSignIns < 1) {
            throw new InvalidConfigurationException(
                    "reconciler.management.max-failed-sign-ins", "must be at least 1, was " + maxFailedSignIns);
        }
        if (signInLockout.isNegative() || signInLockout.isZero()) {
            throw new InvalidConfigurationException(
                    "reconciler.management.sign-in-lockout", "must be positive, was " + signInLockout);
        }
    }

    /**
     * One account.
     *
     * @param username the name it logs in with
     * @param password an encoded form Spring Security knows ({@code {bcrypt}$2a$10$...}, for a
     *     configuration file) or the raw secret (from the environment), hashed at start
     */
    public record Account(String username, String password) {

        Account withDefaultName(String name) {
            return new Account(username == null || username.isBlank() ? name : username.strip(), password);
        }

        public boolean configured() {
            return password != null && !password.isEmpty();
        }
    }
}
