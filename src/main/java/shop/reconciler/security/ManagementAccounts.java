package shop.reconciler.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import shop.reconciler.config.InvalidConfigurationException;

/**
 * The accounts of {@code serve}'s HTTP port, from {@link ManagementProperties}: role
 * {@value #VIEWER} for the viewer, {@value #OPERATOR} and {@value #VIEWER} for the operator. A
 * raw password (from the environment) is hashed with bcrypt here, once, so that no plain secret
 * stays in the user store.
 */
public final class ManagementAccounts implements UserDetailsService {

    public static final String VIEWER = "VIEWER";
    public static final String OPERATOR = "OPERATOR";

    /** The encoder that checks logins; it also says which {@code {id}} prefixes it knows. */
    private static final PasswordEncoder ENCODER = PasswordEncoderFactories.createDelegatingPasswordEncoder();

    private static final Pattern ENCODED = Pattern.compile("^\\{([^{}]*)}.*", Pattern.DOTALL);

    private final Map<String, UserDetails> users = new LinkedHashMap<>();
    private final boolean operatorConfigured;

    public ManagementAccounts(ManagementProperties properties) {
        ManagementProperties.Account viewer = properties.viewer();
        ManagementProperties.Account operator = properties.operator();
        if (viewer.configured() && operator.configured() && viewer.username().equals(operator.username())) {
            throw new InvalidConfigurationException(
                    "reconciler.management.operator.username",
                    "is the viewer's name too ('" + viewer.username() + "'): give the two accounts different names");
        }
        if (viewer.configured()) {
            add("reconciler.management.viewer.password", viewer, VIEWER);
        }
        if (operator.configured()) {
            add("reconciler.management.operator.password", operator, VIEWER, OPERATOR);
        }
        this.operatorConfigured = operator.configured();
    }

    private void add(String key, ManagementProperties.Account account, String... roles) {
        users.put(
                account.username(),
                User.withUsername(account.username())
                        .password(encoded(key, account.password()))
                        .roles(roles)
                        .build());
    }

    /** The stored form of a configured password: as given when encoded, else bcrypt of it. */
    static String encoded(String key, String password) {
        Matcher encoded = ENCODED.matcher(password);
        if (encoded.matches()) {
            if (!knownEncoding(password)) {
                throw new InvalidConfigurationException(
                        key,
                        "starts with {" + encoded.group(1) + "}, which is no password encoding Spring Security knows"
                                + " (for example {bcrypt}); a raw password must not start with {...}");
            }
            return password;
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 72) {
            throw new InvalidConfigurationException(
                    key, "is longer than 72 bytes, the most bcrypt hashes: choose a shorter one");
        }
        return "{bcrypt}" + new BCryptPasswordEncoder().encode(password);
    }

    private static boolean knownEncoding(String encodedPassword) {
        try {
            // any non-empty candidate: an empty one is refused before the prefix is looked at
            ENCODER.matches("?", encodedPassword);
            return true;
        } catch (IllegalArgumentException unknownId) {
            return false;
        }
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
