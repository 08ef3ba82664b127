package shop.reconciler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import shop.reconciler.config.InvalidConfigurationException;

class ManagementAccountsTest {

    private static final String KEY = "reconciler.management.viewer.password";

    @Test
    void aRawPasswordIsStoredAsItsBcryptHash() {
        String stored = ManagementAccounts.encoded(KEY, "s3cret");

        assertThat(stored).startsWith("{bcrypt}").doesNotContain("s3cret");
        assertThat(PasswordEncoderFactories.createDelegatingPasswordEncoder().matches("s3cret", stored))
                .isTrue();
    }

    @Test
    void anEncodedPasswordIsKeptAsGiven() {
        String hash = "{bcrypt}" + new BCryptPasswordEncoder().encode("s3cret");

        assertThat(ManagementAccounts.encoded(KEY, hash)).isEqualTo(hash);
        assertThat(ManagementAccounts.encoded(KEY, "{noop}plain")).isEqualTo("{noop}plain");
    }

    @Test
    void aPrefixNoEncoderKnowsIsRefusedWithItsKey() {
        assertThatThrownBy(() -> ManagementAccounts.encoded(KEY, "{rot13}frperg"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(KEY + ": starts with {rot13}");
    }

    @Test
    void aRawPasswordLongerThanBcryptHashesIsRefused() {
        assertThatThrownBy(() -> ManagementAccounts.encoded(KEY, "x".repeat(73)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("72 bytes");
    }
}
