package shop.reconciler.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;

class ManagementAccountsTest {

    @Test
    void aRawPasswordIsStoredAsItsBcryptHash() {
        String stored = ManagementAccounts.encoded("s3cret");

        assertThat(stored).startsWith("{bcrypt}").doesNotContain("s3cret");
        assertThat(PasswordEncoderFactories.createDelegatingPasswordEncoder().matches("s3cret", stored))
                .isTrue();
    }

    @Test
    void anEncodedPasswordIsKeptAsGiven() {
        String hash = "{bcrypt}" + new BCryptPasswordEncoder().encode("s3cret");

        assertThat(ManagementAccounts.encoded(hash)).isEqualTo(hash);
        assertThat(ManagementAccounts.encoded("{noop}plain")).isEqualTo("{noop}plain");
    }

    @Test
    void theAccountsOfConfiguredPasswordsAreUsersWithTheirRoles() {
        ManagementAccounts accounts = new ManagementAccounts(ManagementPropertiesTest.bound(java.util.Map.of(
                "reconciler.management.viewer.password", "s3cret",
                "reconciler.management.operator.username", "ops",
                "reconciler.management.operator.password", "{noop}plain")));

        assertThat(accounts.loadUserByUsername("viewer").getAuthorities())
                .extracting(Object::toString)
                .containsExactly("ROLE_VIEWER");
        assertThat(accounts.loadUserByUsername("ops").getAuthorities())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("ROLE_VIEWER", "ROLE_OPERATOR");
        assertThat(accounts.operatorConfigured()).isTrue();
    }
}
