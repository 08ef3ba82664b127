package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.Map;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.DemoShop;

/** {@code demo}: an embedded shop, one run, a summary, the emails as .eml files ({@link DemoShop}). */
@Component
@Order(80)
@Command(name = "demo", description = "embedded demo shop, one run, emails as .eml files in target/demo-mail/")
final class DemoCommand implements CliCommand {

    static final String DEMO_DATABASE =
            "jdbc:h2:mem:demo-shop;MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1";

    private final DemoShop demo;

    DemoCommand(DemoShop demo) {
        this.demo = demo;
    }

    /** The demo always uses its own embedded shop, whatever the environment points at. */
    @Override
    public Map<String, String> settings() {
        return Map.of(
                "spring.datasource.url", DEMO_DATABASE,
                "spring.datasource.username", "sa",
                "spring.datasource.password", "",
                "spring.datasource.driver-class-name", "org.h2.Driver",
                "reconciler.mail.eml-directory", "target/demo-mail");
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.of(demo.run(out::println));
    }
}
