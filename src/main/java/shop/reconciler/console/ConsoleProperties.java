package shop.reconciler.console;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code reconciler.console.*}: the web console under {@code /console} on {@code serve}'s port.
 *
 * @param enabled serve the console at all
 * @param actions offer the operator's actions (requeue); without them, or without an operator
 *     account, the console is read-only and says so
 */
@ConfigurationProperties("reconciler.console")
public record ConsoleProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("true") boolean actions) {}
