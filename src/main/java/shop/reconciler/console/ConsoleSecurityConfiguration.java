package shop.reconciler.console;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import shop.reconciler.security.ManagementAccounts;
import shop.reconciler.security.ManagementSecurityConfiguration;
import shop.reconciler.security.SignInThrottle;

/**
 * Who may see the console: the accounts of {@link ManagementAccounts}, through a login form of the
 * console's own (a session cookie, CSRF tokens on every form). Reading needs {@code VIEWER}, an
 * action {@code OPERATOR}. Failed sign-ins are throttled ({@link SignInThrottle}); the pages carry a
 * Content-Security-Policy that allows only the jar's own assets. Between the Actuator chain and the
 * catch-all that refuses the rest.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "reconciler.console", name = "enabled", havingValue = "true", matchIfMissing = true)
class ConsoleSecurityConfiguration {

    static final int CONSOLE_ORDER = ManagementSecurityConfiguration.ACTUATOR_ORDER + 10;

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    @Order(CONSOLE_ORDER)
    SecurityFilterChain consoleChain(HttpSecurity http, ManagementAccounts accounts, SignInThrottle throttle)
            throws Exception {
        http.securityMatcher("/console", "/console/**")
                .userDetailsService(accounts)
                .addFilterBefore(throttle.filter(), UsernamePasswordAuthenticationFilter.class)
                // every asset comes from the jar: no inline script or style, no other origin, no frame
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)))
                .authorizeHttpRequests(requests -> requests.requestMatchers("/console/login", "/console/assets/**")
                        .permitAll()
                        .requestMatchers(HttpMethod.POST, "/console/actions/**")
                        .hasRole(ManagementAccounts.OPERATOR)
                        .anyRequest()
                        .hasRole(ManagementAccounts.VIEWER))
                .formLogin(form -> form.loginPage("/console/login")
                        .loginProcessingUrl("/console/login")
                        .defaultSuccessUrl("/console", false)
                        .failureUrl("/console/login?error"))
                // answered here: Boot's /error page belongs to the catch-all chain, which refuses it
                .exceptionHandling(errors -> errors.accessDeniedHandler((request, response, denied) -> {
                    response.setStatus(403);
                    response.setContentType("text/html;charset=UTF-8");
                    response.getWriter()
                            .write("<!DOCTYPE html><html lang=\"en\"><title>Refused</title><h1>Refused</h1><p>This"
                                    + " needs the operator's role, or the form had expired: <a href=\"/console\">back"
                                    + " to the console</a>.</p></html>");
                }))
                .logout(logout -> logout.logoutUrl("/console/logout").logoutSuccessUrl("/console/login?out"));
        return http.build();
    }
}
