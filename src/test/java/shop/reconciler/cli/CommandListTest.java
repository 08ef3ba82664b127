package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.OrderUtils;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.util.ClassUtils;
import picocli.CommandLine;

/** The command line's list of commands is every command class of the package, in their {@code @Order}. */
class CommandListTest {

    @Test
    void listsEveryCommandClassOfThePackageInItsOrder() {
        // given
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AssignableTypeFilter(CliCommand.class));
        List<Class<?>> scanned = new ArrayList<>();
        for (var candidate : scanner.findCandidateComponents(Cli.class.getPackageName())) {
            Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), Cli.class.getClassLoader());
            if (type.isAnnotationPresent(CommandLine.Command.class)) {
                scanned.add(type);
            }
        }
        scanned.sort(Comparator.comparingInt(type -> OrderUtils.getOrder(type, Integer.MAX_VALUE)));

        // when
        List<Class<? extends CliCommand>> listed = Cli.commandClasses();

        // then
        assertThat(listed)
                .describedAs("add a new command class to Cli.commandClasses()")
                .containsExactlyElementsOf(scanned.stream()
                        .map(type -> type.asSubclass(CliCommand.class))
                        .toList());
        assertThat(listed)
                .extracting(type -> OrderUtils.getOrder(type, Integer.MAX_VALUE))
                .describedAs("each command has its own @Order")
                .doesNotHaveDuplicates()
                .doesNotContain(Integer.MAX_VALUE);
    }
}
