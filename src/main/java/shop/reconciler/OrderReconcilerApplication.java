package shop.reconciler;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import shop.reconciler.cli.Cli;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.console.ConsoleProperties;
import shop.reconciler.security.ManagementProperties;

/** order-reconciler: {@code java -jar order-reconciler.jar <command> [--key=value ...]}. */
@SpringBootApplication
// The configuration records: Boot binds them, and the command line checks them before the context starts.
@EnableConfigurationProperties({ReconcilerProperties.class, ManagementProperties.class, ConsoleProperties.class})
public class OrderReconcilerApplication {

    public static void main(String[] args) {
        System.exit(Cli.execute(OrderReconcilerApplication.class, args));
    }
}
