package shop.reconciler.security;

import jakarta.servlet.DispatcherType;
import org.springframework.boot.actuate.info.InfoEndpoint;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Who may see what on {@code serve}'s HTTP port. Health (its status only) and the Prometheus
 * scrape are open, so that a scheduler's probe and monitoring need no secret; health's details
 * ({@code show-details: when-authorized}) and every other Actuator endpoint need an account
 * ({@link ManagementAccounts}, HTTP Basic). Failed sign-ins are logged and throttled
 * ({@link SignInThrottle}). Whatever no chain claims is refused. Other commands have no web server
 * and load none of this.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ManagementSecurityConfiguration {

    /** Before the console's chain (which claims {@code /console/**}) and the catch-all. */
    public static final int ACTUATOR_ORDER = 10;

    @Bean
    ManagementAccounts managementAccounts(ManagementProperties properties) {
        return new ManagementAccounts(properties);
    }

    @Bean
    SignInThrottle signInThrottle(ManagementProperties properties) {
        return new SignInThrottle(properties.maxFailedSignIns(), properties.signInLockout());
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    @Order(ACTUATOR_ORDER)
    SecurityFilterChain actuatorChain(HttpSecurity http, SignInThrottle throttle) throws Exception {
        http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .addFilterBefore(throttle.filter(), BasicAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests.requestMatchers(EndpointRequest.to(
                                HealthEndpoint.class, InfoEndpoint.class, PrometheusScrapeEndpoint.class))
                        .permitAll()
                        .anyRequest()
                        .hasRole(ManagementAccounts.VIEWER))
                .httpBasic(Customizer.withDefaults())
                // read-only endpoints for machines: no session, no form, nothing to forge
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    /**
     * Everything else is refused with a plain 403: no Basic challenge, so that a browser sent to an
     * error page or a wrong address gets no sign-in dialog. The error pages themselves (the error
     * dispatch of a response that already has its status) are rendered as Boot renders them.
     */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    SecurityFilterChain refuseTheRest(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests.dispatcherTypeMatchers(DispatcherType.ERROR)
                        .permitAll()
                        .anyRequest()
                        .denyAll())
                .exceptionHandling(
                        errors -> errors.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.FORBIDDEN)))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }
}
