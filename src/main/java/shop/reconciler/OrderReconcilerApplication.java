package shop.reconciler;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import shop.reconciler.operations.Cli;

/** order-reconciler: {@code java -jar order-reconciler.jar <command> [--key=value ...]}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OrderReconcilerApplication {

    public static void main(String[] args) {
        System.exit(Cli.execute(args));
    }
}
