package shop.reconciler.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code reconciler.management.*}: the two accounts of {@code serve}'s HTTP port. An account
 * without a password does not exist; there is no default password.
 *
 * @param viewer sees health details (and reads the console)
 * @param operator everything the viewer may, and the console's actions
 */
@ConfigurationProperties("reconciler.management")
public record ManagementProperties(
        @DefaultValue Account viewer, @DefaultValue Account operator) {

    public ManagementProperties {
        viewer = viewer.withDefaultName("viewer");
        operator = operator.withDefaultName("operator");
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
