package shop.reconciler.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The accounts of {@code serve}'s HTTP port, from {@link ManagementProperties}: role
 * {@value #VIEWER} for the viewer, {@value #OPERATOR} and {@value #VIEWER} for the operator. A
 * raw password (from the environment) is hashed with bcrypt here, once, so that no plain secret
 * stays in the user store.
 */
public final class ManagementAccounts implements UserDetailsService {

    public static final String VIEWER = "VIEWER";
    public static final String OPERATOR = "OPERATOR";

    private static final Pattern ENCODED = Pattern.compile("^\\{([^{}]*)}.*", Pattern.DOTALL);

    private final Map<String, UserDetails> users = new LinkedHashMap<>();
    private final boolean operatorConfigured;

    public ManagementAccounts(ManagementProperties properties) {
        ManagementProperties.Account viewer = properties.viewer();
        ManagementProperties.Account operator = properties.operator();
        if (viewer.configured()) {
            add(viewer, VIEWER);
        }
        if (operator.configured()) {
            add(operator, VIEWER, OPERATOR);
        }
        this.operatorConfigured = operator.configured();
    }

    private void add(ManagementProperties.Account account, String... roles) {
        users.put(
                account.username(),
                User.withUsername(account.username())
                        .password(encoded(account.password()))
                        .roles(roles)
                        .build());
    }

    /**
     * The stored form of a configured password (one {@link ManagementProperties} accepted): as
     * given when encoded, else bcrypt of it.
     */
    static String encoded(String password) {
        return ENCODED.matcher(password).matches()
                ? password
                : "{bcrypt}" + new BCryptPasswordEncoder().encode(password);
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        UserDetails user = users.get(username);
        if (user == null) {
            throw new UsernameNotFoundException("no such account");
        }
        // a copy: Spring Security erases the credentials of the one it authenticated
        return User.withUserDetails(user).build();
    }

    /** Whether an operator account exists (the console's actions need one). */
    public boolean operatorConfigured() {
        return operatorConfigured;
    }
}
