package shop.reconciler;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import shop.reconciler.cli.Cli;

/** order-reconciler: {@code java -jar order-reconciler.jar <command> [--key=value ...]}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OrderReconcilerApplication {

    public static void main(String[] args) {
        System.exit(Cli.execute(OrderReconcilerApplication.class, args));
    }
}
